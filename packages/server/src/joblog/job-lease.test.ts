// JobLog jobs across servers (docs/scale-out.md), on every engine with a ManualClock: a server marks interrupted
// only the jobs whose owner's lease expired (or its own, at start-up), never a live server's; a renewed lease keeps
// a job with its server; a job queued for an agent is claimed and run by the server that holds that agent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { createRepositories } from '@migratekit/db';
import { describeOnEngines } from '@migratekit/db/testing';
import { JobLog } from './job-log.service';

const LEASE_MS = 30_000;

describeOnEngines('JobLog leases across servers', ({ engine, database }) => {
  const twoServers = () => {
    const clock = new ManualClock('2026-06-01T10:00:00.000Z');
    const repositories = createRepositories(database().db, clock);
    const joblogOf = (owner: string) =>
      new JobLog({ repositories, clock, publish: () => undefined, lease: { owner, leaseMs: LEASE_MS } });
    return { clock, repositories, a: joblogOf(`a-${engine}`), b: joblogOf(`b-${engine}`) };
  };
  const ids = (jobs: { id: string }[]) => jobs.map((job) => job.id);

  test(
    `[${engine}] a live server's jobs are never interrupted; a dead server's are, with its name`,
    { timeout: 120_000 },
    async () => {
      const { clock, repositories, a, b } = twoServers();
      const running = await a.startJob({ jobType: 'replication', operation: 'copy of db-01' });
      const renewed = await a.startJob({ jobType: 'replication', operation: 'copy of web-01' });
      assert.equal(running.lease_owner, `a-${engine}`);
      assert.ok(!ids(await b.markInterruptedJobs({ includeOwn: true })).includes(running.id), 'b restarting');
      await clock.advance(20_000);
      await repositories.jobLeases.renew(`a-${engine}`, new Date(clock.now().getTime() + LEASE_MS));
      const stillAlive = await a.startJob({ jobType: 'replication', operation: 'copy of app-01' });
      await clock.advance(20_000);
      assert.deepEqual(
        ids(await b.markInterruptedJobs({ includeOwn: false })).filter((id) =>
          [running.id, renewed.id, stillAlive.id].includes(id),
        ),
        [],
        'every lease was renewed in time',
      );
      await clock.advance(LEASE_MS);
      const marked = await b.markInterruptedJobs({ includeOwn: false });
      assert.deepEqual(
        ids(marked)
          .filter((id) => [running.id, renewed.id, stillAlive.id].includes(id))
          .sort(),
        [...[running.id, renewed.id, stillAlive.id].sort()],
      );
      const job = await b.getJob(running.id);
      assert.equal(job?.status, 'interrupted');
      assert.match(job?.error_message ?? '', new RegExp(`server a-${engine} stopped`));
    },
  );

  test(
    `[${engine}] a job queued for an agent is claimed by the server holding it, once`,
    { timeout: 120_000 },
    async () => {
      const { clock, a, b } = twoServers();
      const agent = `agent-${engine}-${Date.now()}`;
      const queued = await a.startJob({
        jobType: 'replication',
        operation: 'copy of db-02',
        agentId: agent,
        queueUntil: new Date(clock.now().getTime() + 600_000),
      });
      assert.deepEqual([queued.status, queued.lease_owner, queued.agent_id], ['pending', null, agent]);
      assert.ok(!ids(await a.markInterruptedJobs({ includeOwn: true })).includes(queued.id), 'queued, not orphaned');
      assert.deepEqual(await a.claimQueuedJobs('replication', ['another-agent']), []);
      const claimed = await b.claimQueuedJobs('replication', [agent]);
      assert.deepEqual(
        claimed.map((job) => [job.id, job.status, job.lease_owner]),
        [[queued.id, 'running', `b-${engine}`]],
      );
      assert.deepEqual(await a.claimQueuedJobs('replication', [agent]), [], 'claimed once');
    },
  );
});
