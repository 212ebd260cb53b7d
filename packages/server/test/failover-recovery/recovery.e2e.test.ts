// Cleanup and rollback end to end on the dev stack (API, agent, vCenter and CloudStack simulators): a test
// failover whose guest wrote to its disks is cleaned up through the legacy DELETE path to volumes byte-identical
// to the last sync, back on the server with their exports, and the next replication is incremental and matches
// the source; a live failover is rolled back with power-on: the source runs, the target is gone, replication
// resumes incrementally.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, writeSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  powerStateOf,
  sourceHashes,
  startFailoverStack,
  twoDiskVm,
  volumeHashes,
  type FailoverStack,
} from '../failover/failover-fixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 2400; i++) {
    const value = await read();
    if (done(value)) return value;
    await sleep(25);
  }
  throw new Error(`${what} did not settle`);
}

interface Context {
  current_status: string;
  vmware_vm_id: string;
  volumes: Array<{ volume_id: string; disk_id: string; attached_vm_id: string | null; mode: string }>;
}

describe('cleanup and rollback end to end on the dev stack', { timeout: 300_000 }, () => {
  let env: FailoverStack;
  before(async () => {
    env = await startFailoverStack([twoDiskVm('db-01', 1), twoDiskVm('web-01', 2)]);
  });
  after(async () => {
    await env.close();
  });

  const context = async (contextId: string) =>
    (await env.api.call<Context>('GET', `/api/v1/vm-contexts/${contextId}`)).body;
  const volumesOf = async (contextId: string) =>
    (await context(contextId)).volumes.sort((a, b) => a.disk_id.localeCompare(b.disk_id)).map((v) => v.volume_id);

  async function failOver(contextId: string, type: 'test' | 'live') {
    const started = await env.api.call<{ job_id: string }>('POST', '/api/v1/failover/unified', {
      vm_id: contextId,
      failover_type: type,
      options: { shutdown_timeout_ms: 10_000 },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const done = await until(
      async () =>
        (
          await env.api.call<{ status: string; destination_vm_id: string }>(
            'GET',
            `/api/v1/failover/${started.body.job_id}/status`,
          )
        ).body,
      (s) => ['completed', 'failed', 'cleanup_required'].includes(s.status),
      'failover',
    );
    assert.equal(done.status, 'completed', JSON.stringify(done));
    return { failoverJobId: started.body.job_id, targetVmId: done.destination_vm_id };
  }

  async function waitForRecovery(jobId: string) {
    return until(
      async () =>
        (
          await env.api.call<{ status: string; steps: Array<{ name: string; status: string }> }>(
            'GET',
            `/api/v1/jobs/${jobId}`,
          )
        ).body,
      (job) => !['pending', 'running'].includes(job.status),
      'recovery job',
    );
  }

  async function replicateAgain(contextId: string) {
    const { vmware_vm_id } = await context(contextId);
    const added = await env.api.call<{ results: Array<{ job_id: string; ok: boolean }> }>(
      'POST',
      '/api/v1/replications',
      {
        vm_ids: [vmware_vm_id],
        credential_id: env.estate.credentialId,
      },
    );
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const jobId = added.body.results[0]?.job_id as string;
    return until(
      async () =>
        (await env.api.call<{ status: string; replication_type: string }>('GET', `/api/v1/replications/${jobId}`)).body,
      (job) => !['pending', 'replicating'].includes(job.status),
      'replication',
    );
  }

  function assertOnServerWithExport(volumeIds: string[]) {
    const inventory = env.estate.cloudstack.inventory();
    for (const id of volumeIds) {
      assert.equal(inventory.volumes.find((v) => v.id === id)?.vmId, inventory.serverVmId, `${id} on the server`);
      assert.ok(env.stack.server.composition.adapters.nbdTarget.hasVolumeExport(id), `${id} exported`);
    }
    assert.deepEqual(
      inventory.snapshots.filter((s) => s.name.startsWith('migratekit-failover-')),
      [],
      'no failover snapshot left',
    );
  }

  test('test cleanup (legacy DELETE): volumes as the last sync, test VM gone, next replication incremental', async () => {
    const contextId = env.contexts.get('db-01') as string;
    const volumeIds = await volumesOf(contextId);
    const lastSync = await sourceHashes(env.estate, 'db-01');
    const { failoverJobId, targetVmId } = await failOver(contextId, 'test');
    // The test VM's guest writes to both disks.
    for (const id of volumeIds) {
      const file = env.estate.cloudstack.inventory().volumes.find((v) => v.id === id)?.file as string;
      const fd = openSync(file, 'r+');
      writeSync(fd, randomBytes(128 * 1024), 0, 128 * 1024, 4096);
      closeSync(fd);
    }
    assert.notDeepEqual(volumeHashes(env.estate, volumeIds, lastSync.capacities), lastSync.hashes);

    const cleanup = await env.api.call<{ job_id: string; workflow: string }>(
      'DELETE',
      `/api/v1/failover/test/${failoverJobId}`,
    );
    assert.equal(cleanup.status, 202, JSON.stringify(cleanup.body));
    assert.equal(cleanup.body.workflow, 'test-cleanup');
    const job = await waitForRecovery(cleanup.body.job_id);
    assert.equal(job.status, 'completed', JSON.stringify(job));

    assert.deepEqual(
      volumeHashes(env.estate, volumeIds, lastSync.capacities),
      lastSync.hashes,
      'sha256 as the last sync',
    );
    assertOnServerWithExport(volumeIds);
    assert.equal(
      env.estate.cloudstack.inventory().vms.find((v) => v.id === targetVmId),
      undefined,
      'test VM gone',
    );
    assert.equal((await context(contextId)).current_status, 'ready_for_failover');

    await env.estate.vcenter.writeGuest('db-01', 2000, 512 * 1024, Buffer.alloc(64 * 1024, 0x3d));
    const replication = await replicateAgain(contextId);
    assert.equal(replication.status, 'completed', JSON.stringify(replication));
    assert.equal(replication.replication_type, 'incremental');
    const now = await sourceHashes(env.estate, 'db-01');
    assert.deepEqual(volumeHashes(env.estate, volumeIds, now.capacities), now.hashes, 'the volumes match the source');
  });

  test('live rollback with power-on: source running, target gone, replication resumes incrementally', async () => {
    const contextId = env.contexts.get('web-01') as string;
    const volumeIds = await volumesOf(contextId);
    const { targetVmId } = await failOver(contextId, 'live');
    assert.equal(powerStateOf(env.estate, 'web-01'), 'poweredOff');

    const decision = await env.api.call<{ possible: boolean; will: string[]; loses: string[] }>(
      'GET',
      `/api/v1/failover/rollback/decision/live/${contextId}`,
    );
    assert.equal(decision.status, 200, JSON.stringify(decision.body));
    assert.equal(decision.body.possible, true);
    assert.ok(decision.body.loses.length > 0);

    const rollback = await env.api.call<{ job_id: string }>('POST', '/api/v1/failover/rollback', {
      vm_id: 'web-01',
      failover_type: 'live',
      power_on_source: true,
    });
    assert.equal(rollback.status, 202, JSON.stringify(rollback.body));
    const job = await waitForRecovery(rollback.body.job_id);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(powerStateOf(env.estate, 'web-01'), 'poweredOn', 'the source runs again');
    assert.equal(
      env.estate.cloudstack.inventory().vms.find((v) => v.id === targetVmId),
      undefined,
      'target gone',
    );
    assertOnServerWithExport(volumeIds);

    const audit = await env.api.call<{ items: Array<{ action: string; actor: string }> }>(
      'GET',
      `/api/v1/audit-events?action=failover.live-rollback`,
    );
    assert.ok(
      audit.body.items.some((e) => e.action === 'failover.live-rollback'),
      JSON.stringify(audit.body),
    );

    await env.estate.vcenter.writeGuest('web-01', 2000, 256 * 1024, Buffer.alloc(32 * 1024, 0x7e));
    const replication = await replicateAgain(contextId);
    assert.equal(replication.status, 'completed', JSON.stringify(replication));
    assert.equal(replication.replication_type, 'incremental');
    const now = await sourceHashes(env.estate, 'web-01');
    assert.deepEqual(volumeHashes(env.estate, volumeIds, now.capacities), now.hashes);
  });
});
