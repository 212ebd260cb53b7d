// The runner's saga on every engine, acting on the CloudStack simulator: steps in order with durable outputs,
// compensation in reverse for succeeded steps only, a failed compensation ending cleanup_required with its reason,
// idempotency by (job, step), detached start and graceful close.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { MigrateKitError } from '@migratekit/core';
import { describeOnEngines } from '@migratekit/db/testing';
import {
  assertNothingOrphaned,
  createHarness,
  jobOf,
  removeResources,
  resourcesOf,
  startSimCloud,
  startVolumeJob,
  type Harness,
  type SimCloudHandle,
} from './workflow-fixture';

const stepsOf = async (harness: Harness, jobId: string) =>
  (await harness.repositories.workflowSteps.listSteps(jobId)).map((s) => [s.step_order, s.name, s.step_kind, s.status]);

describe('workflow runner', { timeout: 120_000 }, () => {
  let cloud: SimCloudHandle;
  before(async () => {
    cloud = await startSimCloud();
  });
  after(async () => {
    await cloud.close();
  });

  describeOnEngines('workflow runner saga', ({ engine, database }) => {
    let harness: Harness;
    beforeEach(() => {
      harness = createHarness(cloud, database());
      cloud.sim.controls.clear();
    });
    afterEach(async () => {
      await harness.closeRunners();
    });

    test(`[${engine}] steps run in order, each output is stored as JSON and matches the simulator`, async () => {
      const runner = harness.runner('server-a');
      const { jobId, input } = await startVolumeJob(harness, runner, 'resume', 'order');
      assert.deepEqual(runner.activeJobIds, [jobId], 'start returned while the job runs in the background');
      await runner.whenIdle();
      const job = await assertNothingOrphaned(harness, jobId, input.volumeName);
      assert.equal(job.status, 'completed');
      assert.equal(job.progress_percent, 100);
      assert.equal(job.completed_steps, 3);
      assert.equal(job.lease_owner, null, 'a finished job gives its lease up');
      assert.deepEqual(job.workflow_input, input);
      assert.deepEqual(await stepsOf(harness, jobId), [
        [1, 'create volume', 'run', 'completed'],
        [2, 'attach volume', 'run', 'completed'],
        [3, 'snapshot volume', 'run', 'completed'],
      ]);
      const steps = await harness.repositories.workflowSteps.listSteps(jobId);
      const found = resourcesOf(cloud, input.volumeName);
      assert.deepEqual(steps[0]?.output, { volumeId: found.volumes[0]?.id });
      assert.deepEqual(steps[2]?.output, { snapshotId: found.snapshots[0]?.id });
      const stepEvents = harness.events.filter((e) => e.type === 'job.step' && e.job_id === jobId);
      assert.equal(stepEvents.length, 6, 'a job.step event before and after each step');
      await removeResources(cloud, input.volumeName);
    });

    test(`[${engine}] a failing step compensates the succeeded steps in reverse order, each its own step`, async () => {
      cloud.sim.controls.failJobs('createSnapshot', 1, { errortext: 'primary storage is full' });
      const runner = harness.runner('server-a');
      const { jobId, input } = await startVolumeJob(harness, runner, 'resume', 'compensate');
      await runner.whenIdle();
      const job = await assertNothingOrphaned(harness, jobId, input.volumeName);
      assert.equal(job.status, 'compensated');
      assert.match(job.error_message ?? '', /snapshot volume.*primary storage is full/);
      assert.deepEqual(await stepsOf(harness, jobId), [
        [1, 'create volume', 'run', 'completed'],
        [2, 'attach volume', 'run', 'completed'],
        [3, 'snapshot volume', 'run', 'failed'],
        [4, 'compensate: attach volume', 'compensate', 'completed'],
        [5, 'compensate: create volume', 'compensate', 'completed'],
      ]);
    });

    test(`[${engine}] a first step that fails leaves nothing to undo: failed, no compensation`, async () => {
      cloud.sim.controls.failJobs('createVolume', 1);
      const runner = harness.runner('server-a');
      const { jobId, input } = await startVolumeJob(harness, runner, 'resume', 'first-fails');
      await runner.whenIdle();
      const job = await assertNothingOrphaned(harness, jobId, input.volumeName);
      assert.equal(job.status, 'failed');
      assert.deepEqual(await stepsOf(harness, jobId), [[1, 'create volume', 'run', 'failed']]);
    });

    test(`[${engine}] a failing compensation stops at cleanup_required with its reason; the operator retries`, async () => {
      cloud.sim.controls.failJobs('createSnapshot', 1);
      cloud.sim.controls.failNext('deleteVolume', 1, { errorcode: 530, errortext: 'storage pool unreachable' });
      const runner = harness.runner('server-a');
      const { jobId, input } = await startVolumeJob(harness, runner, 'resume', 'cleanup');
      await runner.whenIdle();
      const stuck = await jobOf(harness, jobId);
      assert.equal(stuck.status, 'cleanup_required');
      assert.match(stuck.error_message ?? '', /^compensate: create volume failed: .*storage pool unreachable/);
      assert.match(stuck.error_message ?? '', /it was undoing: Step "snapshot volume" failed/);
      assert.equal(stuck.lease_owner, null);
      assert.deepEqual((await stepsOf(harness, jobId)).slice(3), [
        [4, 'compensate: attach volume', 'compensate', 'completed'],
        [5, 'compensate: create volume', 'compensate', 'failed'],
      ]);
      assert.equal(resourcesOf(cloud, input.volumeName).volumes.length, 1, 'the volume is still there, detached');

      await runner.compensate(jobId);
      await runner.whenIdle();
      const job = await assertNothingOrphaned(harness, jobId, input.volumeName);
      assert.equal(job.status, 'compensated');
      const steps = await stepsOf(harness, jobId);
      assert.equal(steps.length, 5, 'the retried compensation reuses its step row: idempotent by (job, step)');
      assert.deepEqual(steps[4], [5, 'compensate: create volume', 'compensate', 'completed']);
      await assert.rejects(
        runner.compensate(jobId),
        (e) => e instanceof MigrateKitError && e.code === 'MKE_ILLEGAL_TRANSITION',
      );
    });

    test(`[${engine}] a step row is unique by (job, kind, step): starting it again reuses the row`, async () => {
      cloud.sim.controls.failJobs('createVolume', 1);
      const runner = harness.runner('server-a');
      const { jobId } = await startVolumeJob(harness, runner, 'resume', 'unique');
      await runner.whenIdle();
      const repo = harness.repositories.workflowSteps;
      const first = await repo.startStep(jobId, 'run', 'create volume', 'create volume');
      const again = await repo.startStep(jobId, 'run', 'create volume', 'create volume');
      assert.equal(again.id, first.id);
      assert.equal(again.status, 'running');
      assert.equal((await repo.listSteps(jobId)).length, 1);
    });

    test(`[${engine}] start refuses a duplicate external id with MKE_DUPLICATE`, async () => {
      cloud.sim.controls.failJobs('createVolume', 1);
      const runner = harness.runner('server-a');
      const externalJobId = `ext-${engine}-${process.pid}`;
      const input = { volumeName: `dup-${engine}-${process.pid}` };
      const started = await runner.start(harness.workflows.resume, input, { externalJobId });
      assert.equal(started.externalJobId, externalJobId);
      await assert.rejects(
        runner.start(harness.workflows.resume, input, { externalJobId }),
        (e) => e instanceof MigrateKitError && e.code === 'MKE_DUPLICATE',
      );
      await runner.whenIdle();
    });

    test(`[${engine}] close() lets the running step finish, leaves the job for takeover, and a new runner ends it`, async () => {
      // The hook only observes: it asks for the close while the first step is in flight, then lets it go on.
      let closing: Promise<void> | undefined;
      const runner = harness.runner('server-a', (point) => {
        if (point.step === 'create volume' && point.phase === 'during') closing = runner.close();
        return false;
      });
      const { jobId, input } = await startVolumeJob(harness, runner, 'resume', 'close');
      await runner.whenIdle();
      assert.ok(closing);
      await closing;
      const left = await jobOf(harness, jobId);
      assert.equal(left.status, 'running');
      const done = (await harness.repositories.workflowSteps.listSteps(jobId)).filter((s) => s.status === 'completed');
      assert.equal(done.length, 1, 'the step in flight finished and was recorded; no further step started');
      assert.ok(left.lease_expires_at !== null && left.lease_expires_at <= harness.clock.now(), 'lease let go');

      const next = harness.runner('server-b');
      assert.deepEqual(await next.recover(), [jobId]);
      await next.whenIdle();
      assert.equal((await assertNothingOrphaned(harness, jobId, input.volumeName)).status, 'completed');
      await removeResources(cloud, input.volumeName);
      await assert.rejects(
        runner.start(harness.workflows.resume, input),
        (e) => e instanceof MigrateKitError && e.code === 'MKE_CONFLICT',
      );
    });
  });
});
