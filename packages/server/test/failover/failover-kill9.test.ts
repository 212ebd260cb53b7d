// A real kill -9 of the server mid-failover: `migratekit dev` runs as a child process on a SQLite file, the vCenter
// and CloudStack simulators and the agent in this process keep running through the kill, as a real cloud does. A
// test failover and a live failover are both mid-run (CloudStack's snapshot jobs held long enough) when the server
// gets SIGKILL. The database then shows both jobs running under the dead server's lease; the server started again
// on the same file takes both over at once: the test failover compensates by its policy, the live one pauses with
// its reason, and no job is left running. The operator resumes the live one to completion; the CloudStack
// simulator then holds no VM, volume or snapshot that a failover did not record.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRepositories, openDatabase } from '@migratekit/db';
import { systemClock } from '@migratekit/core';
import { failoverSnapshotName } from '../../src/failover';
import type { FailoverStatusView } from '../../src/failover/failover-views';
import { readyForFailover, startKillableServer, until, type KillableServer } from '../killable-server';
import { assertNothingOrphaned } from './failover-crash-fixture';
import { PROD_NETWORKS, SOURCE_NETWORKS, TEST_NETWORKS, inventoryOf, twoDiskVm } from './failover-fixture';

const TEST_VM = 'k9-test-01';
const LIVE_VM = 'k9-live-01';
/** How long CloudStack takes for each snapshot: both failovers are inside "snapshot volumes" when the kill comes. */
const SNAPSHOT_LATENCY_MS = 8_000;
const ACTIVE = ['pending', 'running', 'compensating'];

interface JobDetail {
  id: string;
  status: string;
  pause_reason: string | null;
  error_message: string | null;
  logs: Array<{ message: string; fields: Record<string, unknown> | null }>;
}

describe('failover: the server killed with SIGKILL mid-run', { timeout: 180_000 }, () => {
  let server: KillableServer;
  let contexts: Map<string, string>;
  before(async () => {
    server = await startKillableServer({
      inventory: inventoryOf([twoDiskVm(TEST_VM, 1), twoDiskVm(LIVE_VM, 2)]),
      adminPassword: 'kill9-admin-password',
    });
    contexts = await readyForFailover(
      server,
      [TEST_VM, LIVE_VM],
      SOURCE_NETWORKS.map((source, n) => ({
        source,
        production: PROD_NETWORKS[n] as string,
        test: TEST_NETWORKS[n] as string,
      })),
    );
  });
  after(async () => {
    await server?.close();
  });

  const status = async (jobId: string): Promise<FailoverStatusView> => {
    const answer = await server.api<FailoverStatusView>('GET', `/api/v1/failover/${jobId}/status`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };
  const stepStatus = (view: FailoverStatusView, name: string) =>
    view.steps.find((s) => s.kind === 'run' && s.name === name)?.status;
  const settled = async (jobId: string, statuses: readonly string[]): Promise<FailoverStatusView> => {
    await until(`failover ${jobId} to reach ${statuses.join('|')}`, async () =>
      statuses.includes((await status(jobId)).workflow_status ?? ''),
    );
    return status(jobId);
  };

  test('both failovers are taken over by policy, nothing is left running, and nothing is orphaned', async () => {
    server.cloudstack.controls.setLatency('createSnapshot', SNAPSHOT_LATENCY_MS);
    const start = async (vm: string, type: 'test' | 'live') => {
      const answer = await server.api<{ job_id: string; workflow_job_id: string }>('POST', '/api/v1/failover/unified', {
        vm_id: contexts.get(vm),
        failover_type: type,
        options: type === 'live' ? { shutdown_timeout_ms: 2_000 } : {},
      });
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      return answer.body;
    };
    const live = await start(LIVE_VM, 'live');
    const testFo = await start(TEST_VM, 'test');
    await until('both failovers to be inside "snapshot volumes"', async () => {
      const [t, l] = [await status(testFo.job_id), await status(live.job_id)];
      return stepStatus(t, 'snapshot volumes') === 'running' && stepStatus(l, 'snapshot volumes') === 'running';
    });
    const pid = server.pid;
    assert.equal(await server.kill9(), 'SIGKILL');
    assert.throws(() => process.kill(pid as number, 0), 'the server process is gone');
    // CloudStack's snapshot jobs go on without the server; a rerun must not wait for the test latency.
    server.cloudstack.controls.setLatency('createSnapshot', 0);

    // What the dead server left: both jobs running, leased by it (no one else may drive them).
    const database = openDatabase(server.databaseUrl);
    try {
      const jobs = createRepositories(database.db, systemClock).workflowJobs;
      for (const id of [testFo.workflow_job_id, live.workflow_job_id]) {
        const job = await jobs.getJob(id);
        assert.equal(job?.status, 'running', `${id} was left running`);
        assert.equal(job.lease_owner, server.serverId, `${id} is leased by the dead server`);
      }
    } finally {
      await database.close();
    }

    await server.restart();
    const compensated = await settled(testFo.job_id, ['compensated', 'failed', 'cleanup_required', 'completed']);
    const paused = await settled(live.job_id, ['paused', 'compensated', 'failed', 'cleanup_required', 'completed']);
    assert.equal(
      compensated.workflow_status,
      'compensated',
      `test failover by its policy: ${JSON.stringify(compensated)}`,
    );
    assert.equal(compensated.status, 'failed');
    assert.match(
      compensated.error_message ?? '',
      /Server kill9-server stopped at step "snapshot volumes".*compensating/,
    );
    assert.equal(paused.workflow_status, 'paused', `live failover by its policy: ${JSON.stringify(paused)}`);
    assert.match(paused.pause_reason ?? '', /stopped at step "snapshot volumes".*Resume to continue or compensate/);

    for (const id of [testFo.workflow_job_id, live.workflow_job_id]) {
      const job = await server.api<JobDetail>('GET', `/api/v1/jobs/${id}`);
      const takeover = job.body.logs.find((l) => l.message.startsWith('Taken over'));
      assert.ok(takeover, `${id}: the restarted server took the lease over`);
      assert.equal(takeover.fields?.previous_owner, server.serverId);
    }
    // Every job is terminal, or paused for a decision with its reason: none is left running by the dead server.
    const jobs = await server.api<{ items: JobDetail[] }>('GET', '/api/v1/jobs?limit=200');
    const active = jobs.body.items.filter((j) => ACTIVE.includes(j.status));
    assert.deepEqual(
      active.map((j) => `${j.id} ${j.status}`),
      [],
    );
    for (const job of jobs.body.items.filter((j) => j.status === 'paused'))
      assert.ok((job.pause_reason ?? '').length > 0, `${job.id} says why it is paused`);
    const source = server.vcenter.listVms().find((vm) => vm.name === LIVE_VM);
    assert.equal(source?.powerState, 'poweredOff', 'paused, not undone: the source stays off');

    // The paused failover still holds its VM: no replication, no removal until it is resumed or undone.
    const liveContext = contexts.get(LIVE_VM) ?? '';
    for (const [method, path] of [
      ['POST', `/api/v1/vm-contexts/${liveContext}/replicate`],
      ['DELETE', `/api/v1/vm-contexts/${liveContext}`],
    ] as const) {
      const refused = await server.api<{ error: { code: string } }>(method, path);
      assert.equal(refused.status, 409, `${method} ${path}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.error.code, 'MKE_JOB_ACTIVE');
    }

    // The operator resumes the paused live failover: the interrupted step is inspected, the rest runs.
    const resumed = await server.api('POST', `/api/v1/failover/${live.job_id}/resume`);
    assert.ok(resumed.status < 300, JSON.stringify(resumed.body));
    const done = await settled(live.job_id, ['completed', 'compensated', 'failed', 'cleanup_required']);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    const inventory = server.cloudstack.inventory();
    const target = inventory.vms.find((vm) => vm.id === done.destination_vm_id);
    assert.equal(target?.state, 'Running');
    // The snapshots CloudStack finished after the kill were reused, not taken twice: one per volume, all recorded.
    assert.deepEqual(
      inventory.snapshots
        .filter((s) => s.name === failoverSnapshotName(live.job_id))
        .map((s) => s.id)
        .sort(),
      Object.values(done.volume_snapshots ?? {}).sort(),
    );
    assert.equal(Object.keys(done.volume_snapshots ?? {}).length, 2, 'one snapshot per volume');

    assertNothingOrphaned({ estate: { cloudstack: server.cloudstack } }, [await status(testFo.job_id), done]);
    const testContext = await server.api<{ current_status: string }>(
      'GET',
      `/api/v1/vm-contexts/${contexts.get(TEST_VM)}`,
    );
    assert.equal(testContext.body.current_status, 'ready_for_failover', 'the compensated VM can fail over again');
  });
});
