import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, MigrateKitError } from '@migratekit/core';
import { createRepositories } from '@migratekit/db';
import { describeOnEngines, type TestDatabase } from '@migratekit/db/testing';
import type { ServerEvent } from '../events/event-types';
import { JobLog } from './job-log.service';

let seq = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${++seq}`;

function setupOn(database: () => TestDatabase, start = '2026-05-01T10:00:00.000Z') {
  const clock = new ManualClock(start);
  const repositories = createRepositories(database().db, clock);
  const events: ServerEvent[] = [];
  const joblog = new JobLog({ repositories, clock, publish: (event) => events.push(event) });
  return { clock, repositories, events, joblog };
}

describeOnEngines('JobLog', ({ engine, database }) => {
  const setup = (start?: string) => setupOn(database, start);

  test(
    `[${engine}] a job started with an external id is found by it, steps run in order and progress follows them`,
    { timeout: 120_000 },
    async () => {
      const { clock, joblog, events } = setup();
      const externalId = unique('gui');
      const job = await joblog.startJob({
        jobType: 'replication',
        operation: 'initial copy',
        externalJobId: externalId,
        totalSteps: 3,
      });
      assert.equal(job.status, 'running');
      assert.equal(job.external_job_id, externalId);
      assert.equal((await joblog.getJobByExternalId(externalId))?.id, job.id);

      const results: string[] = [];
      for (const name of ['snapshot', 'copy', 'cleanup']) {
        results.push(
          await joblog.runStep(job.id, name, async (step) => {
            await clock.advance(1500);
            await step.log('info', `${name} done`, { bytes: 42 });
            return name.toUpperCase();
          }),
        );
        if (name === 'snapshot') assert.equal((await joblog.getJob(job.id))?.progress_percent, 33.3);
      }
      assert.deepEqual(results, ['SNAPSHOT', 'COPY', 'CLEANUP']);
      const done = await joblog.completeJob(job.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.progress_percent, 100);

      const details = await joblog.getJob(job.id);
      assert.ok(details);
      assert.deepEqual(
        details.steps.map((s) => [s.step_order, s.name, s.status]),
        [
          [1, 'snapshot', 'completed'],
          [2, 'copy', 'completed'],
          [3, 'cleanup', 'completed'],
        ],
      );
      const first = details.steps[0];
      assert.equal(first?.started_at.toISOString(), '2026-05-01T10:00:00.000Z');
      assert.equal(first?.completed_at?.toISOString(), '2026-05-01T10:00:01.500Z');
      assert.deepEqual(
        details.logs.map((l) => [l.step, l.message, l.fields]),
        [
          ['snapshot', 'snapshot done', { bytes: 42 }],
          ['copy', 'copy done', { bytes: 42 }],
          ['cleanup', 'cleanup done', { bytes: 42 }],
        ],
      );
      assert.equal(details.completed_steps, 3);
      const types = events.map((e) => e.type);
      assert.equal(types[0], 'job.updated');
      assert.ok(types.includes('job.step') && types.includes('job.log'));
      const last = events.at(-1);
      assert.ok(last?.type === 'job.updated' && last.job.status === 'completed');
    },
  );

  test(
    `[${engine}] a throwing step fails the step and the job with the error, and rethrows it`,
    { timeout: 120_000 },
    async () => {
      const { joblog } = setup();
      const job = await joblog.startJob({ jobType: 'failover', operation: 'test failover', totalSteps: 2 });
      await joblog.runStep(job.id, 'validate', () => Promise.resolve());
      const boom = new MigrateKitError('MKE_UPSTREAM_ERROR', { message: 'CloudStack refused attachVolume' });
      await assert.rejects(
        joblog.runStep(job.id, 'attach volumes', () => Promise.reject(boom)),
        (error) => error === boom,
      );
      const failed = await joblog.getJob(job.id);
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.error_message, 'CloudStack refused attachVolume');
      assert.equal(failed?.error_code, 'MKE_UPSTREAM_ERROR');
      assert.ok(failed?.completed_at instanceof Date);
      const step = failed?.steps.find((s) => s.name === 'attach volumes');
      assert.equal(step?.status, 'failed');
      assert.equal(step?.error_message, 'CloudStack refused attachVolume');
      assert.ok(failed?.logs.some((l) => l.level === 'error' && l.step === 'attach volumes'));
      // A failed job runs no further steps.
      await assert.rejects(
        joblog.runStep(job.id, 'power on', () => Promise.resolve()),
        (error) => error instanceof MigrateKitError && error.code === 'MKE_CONFLICT',
      );
    },
  );

  test(`[${engine}] child jobs belong to their parent and its VM context`, { timeout: 120_000 }, async () => {
    const { joblog, repositories } = setup();
    const contextId = unique('ctx');
    await repositories.contexts.create({ context_id: contextId, vm_name: 'pgtest1', vmware_vm_id: unique('uuid') });
    const parent = await joblog.startJob({ jobType: 'group-failover', operation: 'recovery plan', contextId });
    const child = await joblog.startChildJob(parent.id, { jobType: 'failover', operation: 'test failover' });
    assert.equal(child.parent_job_id, parent.id);
    assert.equal(child.vm_context_id, contextId);
    const details = await joblog.getJob(parent.id);
    assert.deepEqual(
      details?.children.map((c) => c.id),
      [child.id],
    );
    const listed = await joblog.listJobs({ parentJobId: parent.id });
    assert.equal(listed.total, 1);
    const byContext = await joblog.listJobs({ contextId, rootOnly: true });
    assert.deepEqual(
      byContext.items.map((j) => j.id),
      [parent.id],
    );
    await assert.rejects(
      joblog.startChildJob('job-that-does-not-exist', { jobType: 'x', operation: 'y' }),
      (error) => error instanceof MigrateKitError && error.code === 'MKE_NOT_FOUND',
    );
  });

  test(`[${engine}] an explicit progress value wins over step counting`, { timeout: 120_000 }, async () => {
    const { joblog } = setup();
    const job = await joblog.startJob({ jobType: 'replication', operation: 'incremental', totalSteps: 4 });
    await joblog.setProgress(job.id, 62.5);
    await joblog.runStep(job.id, 'copy', () => Promise.resolve());
    const read = await joblog.getJob(job.id);
    assert.equal(read?.progress_percent, 62.5);
    assert.equal(read?.completed_steps, 1);
    assert.equal((await joblog.setProgress(job.id, 140)).progress_percent, 100);
  });

  test(`[${engine}] a pending job becomes running at its first step`, { timeout: 120_000 }, async () => {
    const { joblog, repositories, clock } = setup();
    const pending = await repositories.jobLog.createJob({
      id: unique('job'),
      external_job_id: unique('ext'),
      job_type: 'replication',
      operation: 'queued by the scheduler',
      status: 'pending',
    });
    assert.equal(pending.started_at, null);
    await clock.advance(5000);
    await joblog.runStep(pending.id, 'snapshot', () => Promise.resolve());
    const running = await joblog.getJob(pending.id);
    assert.equal(running?.status, 'running');
    assert.equal(running?.started_at?.toISOString(), '2026-05-01T10:00:05.000Z');
  });

  test(`[${engine}] an external id can be used once`, { timeout: 120_000 }, async () => {
    const { joblog } = setup();
    const externalJobId = unique('ext');
    await joblog.startJob({ jobType: 'cleanup', operation: 'cleanup', externalJobId });
    await assert.rejects(
      joblog.startJob({ jobType: 'cleanup', operation: 'again', externalJobId }),
      (error) =>
        error instanceof MigrateKitError && error.code === 'MKE_DUPLICATE' && error.field === 'external_job_id',
    );
  });

  test(`[${engine}] listing filters by status and pages with a total`, { timeout: 120_000 }, async () => {
    const { joblog } = setup();
    const jobType = unique('type');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await joblog.startJob({ jobType, operation: `op ${i}` })).id);
    await joblog.failJob(ids[0] ?? '', new Error('disk full'));
    const page = await joblog.listJobs({ jobType, status: ['running'] }, { limit: 2, offset: 0 });
    assert.equal(page.total, 4);
    assert.equal(page.items.length, 2);
    const failed = await joblog.listJobs({ jobType, status: ['failed'] });
    assert.deepEqual(
      failed.items.map((j) => [j.id, j.error_message]),
      [[ids[0], 'disk full']],
    );
  });
});

// Its own database: start-up recovery looks at every unfinished job, so no other test may leave one around.
describeOnEngines('JobLog start-up', ({ engine, database }) => {
  const setup = (start?: string) => setupOn(database, start);

  test(
    `[${engine}] jobs left running by a previous process are marked interrupted at start-up`,
    { timeout: 120_000 },
    async () => {
      const { joblog, repositories } = setup();
      const running = await joblog.startJob({ jobType: 'replication', operation: 'initial copy' });
      await joblog.runStep(running.id, 'snapshot', () => Promise.resolve());
      // The process died inside this step: it started and never ended.
      await repositories.jobLog.startStep(running.id, 'copy');
      const pending = await repositories.jobLog.createJob({
        id: unique('job'),
        external_job_id: unique('ext'),
        job_type: 'replication',
        operation: 'queued',
        status: 'pending',
      });
      const finished = await joblog.startJob({ jobType: 'discovery', operation: 'discover' });
      await joblog.completeJob(finished.id);

      // A new process starts.
      const restarted = setup('2026-05-01T11:00:00.000Z');
      const marked = await restarted.joblog.markInterruptedJobs();
      assert.deepEqual(marked.map((j) => j.id).sort(), [running.id, pending.id].sort());
      const interrupted = await restarted.joblog.getJob(running.id);
      assert.equal(interrupted?.status, 'interrupted');
      assert.equal(interrupted?.error_code, 'MKE_JOB_INTERRUPTED');
      assert.equal(interrupted?.completed_at?.toISOString(), '2026-05-01T11:00:00.000Z');
      assert.deepEqual(
        interrupted?.steps.map((s) => [s.name, s.status, s.error_code]),
        [
          ['snapshot', 'completed', null],
          ['copy', 'failed', 'MKE_JOB_INTERRUPTED'],
        ],
      );
      assert.equal((await restarted.joblog.getJob(pending.id))?.status, 'interrupted');
      assert.equal((await restarted.joblog.getJob(finished.id))?.status, 'completed');
      assert.ok(restarted.events.some((e) => e.type === 'job.updated' && e.job.status === 'interrupted'));
      assert.deepEqual(await restarted.joblog.markInterruptedJobs(), []);
    },
  );
});
