// The dev agent as its own process (docs/agent.md#the-agent-in-migratekit-dev): `migratekit dev` starts it as a
// child paired with a token, shows it in the banner; killed with SIGKILL mid-copy, the job fails with
// MKE_AGENT_LOST at once, the agent is started again and reconnects under the same id, and a rerun converges to
// identical bytes. Closing the stack ends the child.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { createLogger } from '../logging/logger';
import { apiFor } from '../../test/failover/failover-fixture';
import { startDevStack } from './dev-stack';

const MiB = 1024 * 1024;

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Lab',
      hosts: [{ name: 'esx01.lab.local' }],
      datastores: [{ name: 'DS-SSD-01', capacityGiB: 100 }],
      networks: [{ name: 'VLAN 100 - Prod', vlan: 100 }],
      vms: [
        {
          name: 'kill-01',
          host: 'esx01.lab.local',
          guest: 'linux',
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn',
          cbtEnabled: true,
          disks: [{ capacityBytes: 48 * MiB, datastore: 'DS-SSD-01', seedBytes: 4 * MiB }],
          nics: [{ network: 'VLAN 100 - Prod' }],
        },
      ],
    },
  ],
};

/** The agent's silence bound (docs/agent.md): a dead agent's job must have failed well within it. */
const AGENT_LOST_BOUND_MS = 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test(
  'dev agent process: killed mid-copy, the job fails MKE_AGENT_LOST, the agent comes back, a rerun converges',
  { timeout: 150_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mk-devagent-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const lines: string[] = [];
    const stack = await startDevStack({
      env: { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' },
      logger: createLogger({ level: 'silent' }),
      out: (line) => lines.push(line),
      inventory,
      guestWrites: false,
    });
    let closed = false;
    t.after(() => (closed ? undefined : stack.close()));
    const estate = stack.estate;
    const child = estate?.agentProcess;
    assert.ok(estate && child, 'the dev agent runs as a child process by default');
    const firstPid = child.pid;
    assert.ok(firstPid !== undefined && firstPid !== process.pid && alive(firstPid));
    assert.equal(estate.agent, undefined);
    assert.match(lines.join('\n'), new RegExp(`Dev agent: +${estate.agentId}, pid ${firstPid} \\(child process`));
    const hub = stack.server.composition.adapters.hub;
    assert.ok(hub.isConnected(estate.agentId));

    const call = apiFor(stack).ok;
    interface Job {
      status: string;
      error_classification: string | null;
      completed_at: string | null;
    }
    const waitForJob = async (jobId: string): Promise<Job> => {
      let job: Job = { status: 'pending', error_classification: null, completed_at: null };
      await until(`job ${jobId}`, async () => {
        job = await call<Job>('GET', `/api/v1/replications/${jobId}`);
        return !['pending', 'replicating'].includes(job.status);
      });
      return job;
    };
    const discovered = await call<{ vms: Array<{ id: string; name: string }> }>('POST', '/api/v1/discover', {
      credential_id: estate.credentialId,
    });
    const vmId = discovered.vms.find((v) => v.name === 'kill-01')?.id;
    assert.ok(vmId);
    // Enough data that the copy is still running when the kill lands.
    await estate.vcenter.writeGuest('kill-01', 2000, 8 * MiB, randomBytes(24 * MiB));

    let killedAt: number | undefined;
    const unsubscribe = stack.server.composition.adapters.events.subscribe((event) => {
      if (event.type === 'replication.progress' && event.phase === 'copying' && killedAt === undefined) {
        killedAt = Date.now();
        process.kill(firstPid, 'SIGKILL');
      }
    });
    const doomed = await call<{ job_id: string; context_id: string }>('POST', '/api/v1/replications', {
      vm_id: vmId,
      credential_id: estate.credentialId,
    });
    const lost = await waitForJob(doomed.job_id);
    const failedAt = Date.now();
    unsubscribe();
    assert.ok(killedAt !== undefined, 'the agent was killed mid-copy');
    assert.equal(lost.status, 'failed', JSON.stringify(lost));
    assert.equal(lost.error_classification, 'MKE_AGENT_LOST');
    assert.ok(failedAt - killedAt < AGENT_LOST_BOUND_MS, `failed ${failedAt - killedAt} ms after the kill`);
    t.diagnostic(`job failed ${failedAt - killedAt} ms after the kill`);

    // Started again, under the same credential, and back online.
    await until('the agent to come back', () => child.restarts === 1 && child.pid !== undefined);
    assert.notEqual(child.pid, firstPid);
    await until('the agent to reconnect', () => hub.isConnected(estate.agentId));

    const rerun = await call<{ job_id: string }>('POST', '/api/v1/replications', {
      context_id: doomed.context_id,
      start_replication: true,
    });
    const converged = await waitForJob(rerun.job_id);
    assert.equal(converged.status, 'completed', JSON.stringify(converged));
    const context = await call<{ volumes: Array<{ volume_id: string }> }>(
      'GET',
      `/api/v1/vm-contexts/${doomed.context_id}`,
    );
    const disk = estate.vcenter.listVms().find((v) => v.name === 'kill-01')?.disks[0];
    assert.ok(disk);
    const file = estate.cloudstack.inventory().volumes.find((v) => v.id === context.volumes[0]?.volume_id)?.file;
    assert.ok(file);
    const hash = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
    assert.equal(
      hash(readFileSync(file).subarray(0, disk.capacity)),
      hash(await estate.vcenter.readDisk('kill-01', disk.key, 0, disk.capacity)),
    );

    const lastPid = child.pid;
    assert.ok(lastPid !== undefined);
    closed = true;
    await stack.close();
    assert.equal(alive(lastPid), false, 'closing the dev stack ends the agent process');
    assert.equal(child.restarts, 1, 'a stopped stack does not start the agent again');
  },
);
