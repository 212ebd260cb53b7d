// End to end on the dev stack (in-process, temp dirs, small disks): pairing and the agent's WebSocket, discovery,
// Add to Management (bulk), full copies into CloudStack simulator volumes with identical bytes, guest writes
// and CBT incrementals moving no more than 1.1 x the changed bytes, a rejected change id falling back to a full
// copy with its reason, an agent killed mid-copy and a rerun that converges, the 409 duplicate answer, and a
// context deletion that leaves no volume behind.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { startDevStack, type DevStack } from '../dev/dev-stack';
import type { DevEstate } from '../dev/dev-estate';
import { createLogger } from '../logging/logger';

const MiB = 1024 * 1024;

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Lab',
      hosts: [{ name: 'esx01.lab.local' }],
      datastores: [{ name: 'DS-SSD-01', capacityGiB: 100 }],
      networks: [
        { name: 'VLAN 100 - Prod', vlan: 100 },
        { name: 'VLAN 253 - DMZ', vlan: 253 },
      ],
      vms: [
        {
          name: 'db-01',
          host: 'esx01.lab.local',
          guest: 'linux',
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn',
          disks: [
            { capacityBytes: 64 * MiB, datastore: 'DS-SSD-01', seedBytes: 6 * MiB },
            { capacityBytes: 32 * MiB, datastore: 'DS-SSD-01', seedBytes: 3 * MiB },
          ],
          nics: [{ network: 'VLAN 100 - Prod' }],
        },
        {
          name: 'web-01',
          host: 'esx01.lab.local',
          guest: 'linux',
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn',
          cbtEnabled: true,
          disks: [{ capacityBytes: 64 * MiB, datastore: 'DS-SSD-01', seedBytes: 5 * MiB }],
          nics: [{ network: 'VLAN 100 - Prod' }, { network: 'VLAN 253 - DMZ' }],
        },
        {
          name: 'app-01',
          host: 'esx01.lab.local',
          guest: 'windows',
          guestId: 'windows2019srv_64Guest',
          guestFullName: 'Microsoft Windows Server 2019 (64-bit)',
          firmware: 'efi',
          powerState: 'poweredOn',
          disks: [{ capacityBytes: 48 * MiB, datastore: 'DS-SSD-01', seedBytes: 4 * MiB }],
          nics: [{ network: 'VLAN 100 - Prod' }],
        },
      ],
    },
  ],
};

interface Api {
  call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

function apiFor(stack: DevStack): Api {
  const token = readFileSync(stack.cliTokenPath, 'utf8').trim();
  return {
    async call<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${stack.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
  };
}

interface Job {
  id: string;
  status: string;
  replication_type: string;
  total_bytes: number | null;
  bytes_transferred: number;
  error_message: string | null;
  error_classification: string | null;
  completed_at: string | null;
}

async function waitForJob(api: Api, jobId: string): Promise<Job> {
  for (let i = 0; i < 1200; i++) {
    const { body } = await api.call<Job>('GET', `/api/v1/replications/${jobId}`);
    if (!['pending', 'replicating'].includes(body.status)) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function diskCapacity(estate: DevEstate, vmName: string): number | undefined {
  return estate.vcenter
    .listVms()
    .find((v) => v.name === vmName)
    ?.disks.reduce((sum, d) => sum + d.capacity, 0);
}

/** Every disk of the VM hashes the same as its CloudStack volume file. */
async function assertVolumesMatch(api: Api, estate: DevEstate, contextId: string, vmName: string): Promise<void> {
  const { body } = await api.call<{ volumes: Array<{ volume_id: string; disk_id: string }> }>(
    'GET',
    `/api/v1/vm-contexts/${contextId}`,
  );
  const sim = estate.vcenter.listVms().find((v) => v.name === vmName);
  assert.ok(sim);
  assert.equal(body.volumes.length, sim.disks.length);
  for (const disk of sim.disks) {
    const volume = body.volumes.find((v) => v.disk_id === `disk-${disk.key}`);
    assert.ok(volume, `volume for disk-${disk.key}`);
    const file = estate.cloudstack.inventory().volumes.find((v) => v.id === volume.volume_id)?.file;
    assert.ok(file);
    const source = await estate.vcenter.readDisk(vmName, disk.key, 0, disk.capacity);
    assert.equal(
      sha256(readFileSync(file).subarray(0, disk.capacity)),
      sha256(source),
      `disk-${disk.key} of ${vmName}`,
    );
  }
}

test('replication end to end on the dev stack', { timeout: 240_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mk-e2e-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const stack = await startDevStack({
    env: { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' },
    logger: createLogger({ level: 'silent' }),
    out: () => undefined,
    inventory,
    guestWrites: false,
    // This test cuts the agent's link by hand; dev-agent-process.e2e.test.ts kills the real process.
    agent: 'in-process',
  });
  t.after(() => stack.close());
  const estate = stack.estate;
  assert.ok(estate);
  const api = apiFor(stack);

  const agents = await api.call<{ items: Array<{ status: string; connected: boolean }> }>('GET', '/api/v1/agents');
  assert.deepEqual(
    agents.body.items.map((a) => [a.status, a.connected]),
    [['online', true]],
  );

  // Discovery through the agent.
  const discovered = await api.call<{
    vms: Array<{
      id: string;
      name: string;
      disks: unknown[];
      networks: Array<{ network_name: string }>;
      concerns: Array<{ code: string }>;
      managed: boolean;
    }>;
  }>('POST', '/api/v1/discover', { credential_id: estate.credentialId });
  assert.equal(discovered.status, 200);
  const byName = new Map(discovered.body.vms.map((v) => [v.name, v]));
  assert.deepEqual([...byName.keys()].sort(), ['app-01', 'db-01', 'web-01']);
  assert.equal(byName.get('db-01')?.disks.length, 2);
  assert.deepEqual(
    byName.get('web-01')?.networks.map((n) => n.network_name),
    ['VLAN 100 - Prod', 'VLAN 253 - DMZ'],
  );
  assert.ok(byName.get('db-01')?.concerns.some((c) => c.code === 'cbt_disabled'));

  // Add all three (bulk) and replicate: full copies.
  const names = ['db-01', 'web-01', 'app-01'];
  const vmIds = names.map((n) => byName.get(n)?.id as string);
  const nameOf = (id: string): string => names[vmIds.indexOf(id)] as string;
  const added = await api.call<{ results: Array<{ vm_id: string; ok: boolean; context_id: string; job_id: string }> }>(
    'POST',
    '/api/v1/replications',
    { vm_ids: vmIds, credential_id: estate.credentialId },
  );
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.ok(added.body.results.every((r) => r.ok));
  const contexts = new Map(added.body.results.map((r) => [r.vm_id, r.context_id]));
  for (const result of added.body.results) {
    const job = await waitForJob(api, result.job_id);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(job.replication_type, 'initial');
    const ctx = await api.call<{
      current_status: string;
      last_successful_sync_at: string | null;
      disk_capacity_bytes: number | null;
    }>('GET', `/api/v1/vm-contexts/${result.context_id}`);
    assert.equal(ctx.body.current_status, 'ready_for_failover');
    // The VM list's "Last sync" and "Size": this job's completion, and the capacity of the VM's disks.
    assert.equal(ctx.body.last_successful_sync_at, job.completed_at);
    assert.equal(ctx.body.disk_capacity_bytes, diskCapacity(estate, nameOf(result.vm_id)));
    await assertVolumesMatch(api, estate, result.context_id, nameOf(result.vm_id));
  }

  // Adding a managed VM again: 409 with the existing context.
  const dbId = vmIds[0] as string;
  const duplicate = await api.call<{ existing_context_id: string; error: { code: string } }>(
    'POST',
    '/api/v1/replications',
    {
      vm_id: dbId,
      start_replication: false,
    },
  );
  assert.equal(duplicate.status, 409);
  assert.equal(duplicate.body.existing_context_id, contexts.get(dbId));
  assert.equal(duplicate.body.error.code, 'MKE_VM_ALREADY_MANAGED');

  // Guest writes, then incrementals that move at most 1.1 x the changed bytes.
  const writes: Array<[string, number, number, number]> = [
    [dbId, 2000, 8 * MiB, 256 * 1024],
    [dbId, 2001, 1 * MiB, 128 * 1024],
    [vmIds[1] as string, 2000, 40 * MiB, 512 * 1024],
    [vmIds[2] as string, 2000, 4 * MiB, 64 * 1024],
  ];
  for (const [vm, key, offset, length] of writes)
    await estate.vcenter.writeGuest(nameOf(vm), key, offset, Buffer.alloc(length, 0xab));
  for (const vmId of vmIds) {
    const changed = writes.filter((w) => w[0] === vmId).reduce((s, w) => s + w[3], 0);
    const started = await api.call<{ job_id: string }>('POST', '/api/v1/replications', { vm_id: vmId });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const job = await waitForJob(api, started.body.job_id);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(job.replication_type, 'incremental');
    assert.ok((job.total_bytes ?? Infinity) <= 1.1 * changed, `${job.total_bytes} bytes for ${changed} changed`);
    await assertVolumesMatch(api, estate, contexts.get(vmId) as string, nameOf(vmId));
  }

  // A change id vCenter rejects: that disk is copied in full, with the reason in the job log.
  const dbContext = contexts.get(dbId) as string;
  const latest = await stack.server.composition.adapters.repositories.vmDisks.listLatestByContext(dbContext);
  const target = latest.find((d) => d.disk_id === 'disk-2000');
  assert.ok(target);
  await stack.server.composition.adapters.repositories.vmDisks.update(target.id, {
    disk_change_id: '52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/999',
  });
  await estate.vcenter.writeGuest('db-01', 2001, 2 * MiB, Buffer.alloc(4096, 0x5a));
  const rerun = await api.call<{ job_id: string }>('POST', '/api/v1/replications', { vm_id: dbId });
  const fallback = await waitForJob(api, rerun.body.job_id);
  assert.equal(fallback.status, 'completed', JSON.stringify(fallback));
  const details = await stack.server.services.jobs.getJob(rerun.body.job_id);
  const reasons = (details?.logs ?? []).filter((l) => l.message === 'disk copied').map((l) => l.fields);
  const full = reasons.find((f) => f?.disk_id === 'disk-2000');
  assert.equal(full?.sync_type, 'full');
  assert.match(String(full?.full_copy_reason), /change id rejected/);
  assert.equal(reasons.find((f) => f?.disk_id === 'disk-2001')?.sync_type, 'incremental');
  await assertVolumesMatch(api, estate, dbContext, 'db-01');

  // The agent dies mid-copy: the job fails with a classified error; a new agent's rerun converges.
  const appId = vmIds[2] as string;
  await estate.vcenter.writeGuest('app-01', 2000, 16 * MiB, randomBytes(16 * MiB));
  let killed = false;
  const unsubscribe = stack.server.composition.adapters.events.subscribe((event) => {
    if (event.type === 'replication.progress' && event.phase === 'copying' && !killed) {
      killed = true;
      const agent = estate.agent;
      assert.ok(agent);
      agent.link.cut();
      void agent.close();
    }
  });
  const doomed = await api.call<{ job_id: string }>('POST', '/api/v1/replications', { vm_id: appId });
  const lost = await waitForJob(api, doomed.body.job_id);
  unsubscribe();
  assert.ok(killed);
  assert.equal(lost.status, 'failed');
  assert.equal(lost.error_classification, 'MKE_AGENT_LOST');
  const appCtx = await api.call<{ current_status: string; current_job_id: string | null }>(
    'GET',
    `/api/v1/vm-contexts/${contexts.get(appId) as string}`,
  );
  assert.deepEqual([appCtx.body.current_status, appCtx.body.current_job_id], ['failed', null]);
  await estate.restartAgent();
  // The dashboard's "Replicate now" names the context.
  const retry = await api.call<{ job_id: string }>('POST', '/api/v1/replications', {
    context_id: contexts.get(appId),
    start_replication: true,
  });
  assert.equal(retry.status, 202, JSON.stringify(retry.body));
  const converged = await waitForJob(api, retry.body.job_id);
  assert.equal(converged.status, 'completed', JSON.stringify(converged));
  await assertVolumesMatch(api, estate, contexts.get(appId) as string, 'app-01');
  assert.equal(
    estate.vcenter.listVms().find((v) => v.name === 'app-01')?.snapshots.length,
    0,
    'no snapshot left behind',
  );

  // Cancelling mid-copy: the job ends cancelled, the VM keeps its last good state, no snapshot stays behind.
  await estate.vcenter.writeGuest('db-01', 2000, 20 * MiB, randomBytes(16 * MiB));
  let cancel: Promise<{ status: number; body: Job }> | undefined;
  let second: { status: number; body: { existing_context_id?: string; error?: { code: string } } } | undefined;
  const stopOnce = stack.server.composition.adapters.events.subscribe((event) => {
    if (event.type === 'replication.progress' && event.phase === 'copying' && cancel === undefined)
      // While it copies: a second replication of the VM is refused, then the operator cancels.
      cancel = api
        .call<{ existing_context_id?: string; error?: { code: string } }>('POST', '/api/v1/replications', {
          vm_id: dbId,
        })
        .then((answer) => {
          second = answer;
          return api.call<Job>('DELETE', `/api/v1/replications/${event.job_id}`);
        });
  });
  const cancelled = await api.call<{ job_id: string }>('POST', '/api/v1/replications', { vm_id: dbId });
  const ended = await waitForJob(api, cancelled.body.job_id);
  stopOnce();
  assert.ok(cancel);
  const answer = await cancel;
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(second?.status, 409, JSON.stringify(second?.body));
  assert.equal(second?.body.error?.code, 'MKE_JOB_ACTIVE');
  assert.equal(second?.body.existing_context_id, dbContext);
  assert.equal(ended.status, 'cancelled');
  const dbAfter = await api.call<{ current_status: string }>('GET', `/api/v1/vm-contexts/${dbContext}`);
  assert.equal(dbAfter.body.current_status, 'ready_for_failover');
  assert.equal(estate.vcenter.listVms().find((v) => v.name === 'db-01')?.snapshots.length, 0);

  // Deleting a context removes its volumes from CloudStack.
  const webContext = contexts.get(vmIds[1] as string) as string;
  const webVolumes = (
    await api.call<{ volumes: Array<{ volume_id: string }> }>('GET', `/api/v1/vm-contexts/${webContext}`)
  ).body.volumes.map((v) => v.volume_id);
  const deleted = await api.call<{ volumes_deleted: number }>('DELETE', `/api/v1/vm-contexts/${webContext}`);
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  assert.equal(deleted.body.volumes_deleted, 1);
  const remaining = new Set(estate.cloudstack.inventory().volumes.map((v) => v.id));
  assert.ok(webVolumes.every((id) => !remaining.has(id)));
  assert.equal((await api.call('GET', `/api/v1/vm-contexts/${webContext}`)).status, 404);
});
