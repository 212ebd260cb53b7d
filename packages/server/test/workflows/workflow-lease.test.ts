// Leases on every engine: the heartbeat renews a running job's lease on the injected clock; a server whose lease
// was taken stops driving the job without recording anything, and the new owner finishes it; claims made in small
// batches from two connections never hand one job to both.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ManualClock, newJobId } from '@migratekit/core';
import { createRepositories, type Repositories } from '@migratekit/db';
import { describeOnEngines } from '@migratekit/db/testing';
import { JobLog } from '../../src/joblog';
import { createWorkflowRunner, defineWorkflow, type WorkflowRunner } from '../../src/workflows';
import { LEASE, captureLogger, type CapturedLog } from './workflow-fixture';

/** A step the test releases by hand; it honours its abort signal like a real CloudStack call. */
function gate() {
  const waiting: { release: () => void; signal: AbortSignal }[] = [];
  const workflow = defineWorkflow<{ label: string }>('gated', { jobType: 'test-gated', takeover: 'resume' })
    .step('wait for the gate', {
      run: ({ signal }) =>
        new Promise<{ passed: true }>((resolve, reject) => {
          waiting.push({ release: () => resolve({ passed: true }), signal });
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        }),
      inspect: () => Promise.resolve({ happened: false }),
    })
    .build();
  return { workflow, waiting };
}

describe('workflow leases', { timeout: 120_000 }, () => {
  describeOnEngines('workflow leases', ({ engine, database }) => {
    let clock: ManualClock;
    let repositories: Repositories;
    let logs: CapturedLog[];
    let runners: WorkflowRunner[];
    let gated: ReturnType<typeof gate>;
    const runner = (serverId: string, repos: Repositories = repositories): WorkflowRunner => {
      const built = createWorkflowRunner({
        repositories: repos,
        joblog: new JobLog({ repositories: repos, clock, publish: () => undefined }),
        clock,
        logger: captureLogger(logs),
        serverId,
        workflows: [gated.workflow],
        lease: LEASE,
      });
      runners.push(built);
      return built;
    };
    beforeEach(() => {
      clock = new ManualClock('2026-07-01T08:00:00.000Z');
      repositories = createRepositories(database().db, clock);
      logs = [];
      runners = [];
      gated = gate();
    });
    afterEach(async () => {
      for (const waiting of gated.waiting) waiting.release();
      for (const built of runners) await built.halt();
    });

    test(`[${engine}] the heartbeat renews the lease; a server whose lease was taken stops without writing`, async () => {
      const a = runner('server-a');
      const { jobId } = await a.start(gated.workflow, { label: 'lease' });
      const before = (await repositories.workflowJobs.getJob(jobId))?.lease_expires_at?.getTime();
      await clock.advance(LEASE.heartbeatMs);
      await a.tick();
      const renewed = (await repositories.workflowJobs.getJob(jobId))?.lease_expires_at?.getTime();
      assert.equal(renewed, (before ?? 0) + LEASE.heartbeatMs, 'renewed to now + lease');

      // server-a misses its heartbeats (say, a network partition): its lease runs out and server-b claims the job.
      await repositories.workflowJobs.expireLease(jobId, 'server-a');
      const b = runner('server-b');
      await b.tick();
      assert.deepEqual(b.activeJobIds, [jobId]);
      await a.tick();
      await a.whenIdle();
      assert.ok(logs.some((l) => l.message.startsWith('lost the lease') && l.fields.job_id === jobId));
      const meanwhile = await repositories.workflowJobs.getJob(jobId);
      assert.equal(meanwhile?.status, 'running', 'server-a recorded no failure');
      assert.equal(meanwhile?.lease_owner, 'server-b');

      while (gated.waiting.length < 2) await clock.advance(0);
      gated.waiting[1]?.release();
      await b.whenIdle();
      const job = await repositories.workflowJobs.getJob(jobId);
      assert.equal(job?.status, 'completed');
      const steps = await repositories.workflowSteps.listSteps(jobId);
      assert.deepEqual(
        steps.map((s) => [s.name, s.status, s.output]),
        [['wait for the gate', 'completed', { passed: true }]],
      );
    });

    test(`[${engine}] claims in small batches from two connections never give a job to both`, async () => {
      const ids: string[] = [];
      for (let n = 0; n < 30; n++) {
        const id = `${newJobId(clock.now())}-${n}`;
        await repositories.workflowJobs.createJob({
          id,
          external_job_id: id,
          job_type: 'test-gated',
          operation: 'batch claim',
          workflow_name: 'gated',
          workflow_input: { label: String(n) },
          takeover_policy: 'resume',
          total_steps: 1,
          lease_owner: 'dead-server',
          lease_expires_at: new Date(clock.now().getTime() - 1),
        });
        ids.push(id);
      }
      const other = createRepositories(database().openConnection().db, clock);
      const claimAll = async (repos: Repositories, owner: string): Promise<string[]> => {
        const mine: string[] = [];
        for (;;) {
          const batch = await repos.workflowJobs.claimExpired({
            owner,
            leaseExpiresAt: new Date(clock.now().getTime() + LEASE.leaseMs),
            limit: 2,
          });
          if (batch.length === 0) return mine;
          assert.ok(batch.every((c) => c.previous_owner === 'dead-server'));
          mine.push(...batch.map((c) => c.id));
        }
      };
      const [mineA, mineB] = await Promise.all([claimAll(repositories, 'a'), claimAll(other, 'b')]);
      const all = [...mineA, ...mineB];
      assert.equal(new Set(all).size, all.length, 'no job claimed twice');
      assert.deepEqual([...all].sort(), [...ids].sort(), 'every job claimed');
      for (const id of mineB) assert.equal((await repositories.workflowJobs.getJob(id))?.lease_owner, 'b');
    });
  });
});
