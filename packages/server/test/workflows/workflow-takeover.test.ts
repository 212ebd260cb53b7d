// Takeover: a job whose owner stopped is claimed by another runner once its lease expires (ManualClock); the
// current step's inspect decides between recording it as done and running it; the three takeover policies and the
// operator's decision on a paused job; two runners on one database racing to claim.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { newJobId } from '@migratekit/core';
import { createRepositories } from '@migratekit/db';
import { describeOnEngines } from '@migratekit/db/testing';
import { defineWorkflow, type CrashHook, type CrashPhase } from '../../src/workflows';
import {
  LEASE,
  assertNothingOrphaned,
  createHarness,
  jobOf,
  removeResources,
  resourcesOf,
  startSimCloud,
  startVolumeJob,
  type Harness,
  type SimCloudHandle,
  untilCrashed,
} from './workflow-fixture';

const crashAt =
  (step: string, phase: CrashPhase): CrashHook =>
  (point) =>
    point.step === step && point.phase === phase;

describe('workflow takeover', { timeout: 180_000 }, () => {
  let cloud: SimCloudHandle;
  before(async () => {
    cloud = await startSimCloud();
  });
  after(async () => {
    await cloud.close();
  });

  describeOnEngines('workflow takeover', ({ engine, database }) => {
    let harness: Harness;
    beforeEach(() => {
      harness = createHarness(cloud, database());
      cloud.sim.controls.clear();
    });
    afterEach(async () => {
      await harness.closeRunners();
    });

    test(`[${engine}] a job is taken over only once its lease expired; inspect finds the step done and it is not redone`, async () => {
      const first = harness.runner('server-a', crashAt('create volume', 'after'));
      const { jobId, input } = await startVolumeJob(harness, first, 'resume', 'expire');
      await untilCrashed(first);
      assert.equal(resourcesOf(cloud, input.volumeName).volumes.length, 1, 'the volume exists, unrecorded');
      assert.equal((await jobOf(harness, jobId)).lease_owner, 'server-a');
      const interrupted = await harness.joblog.markInterruptedJobs();
      assert.ok(!interrupted.some((j) => j.id === jobId), 'start-up interruption leaves workflow jobs to the runner');

      const second = harness.runner('server-b');
      await second.tick();
      assert.deepEqual(second.activeJobIds, [], 'the lease is still valid: nothing taken over');
      await harness.clock.advance(LEASE.leaseMs + 1);
      await second.tick();
      await second.whenIdle();
      const job = await assertNothingOrphaned(harness, jobId, input.volumeName);
      assert.equal(job.status, 'completed');
      assert.equal(resourcesOf(cloud, input.volumeName).volumes.length, 1, 'inspect prevented a second volume');
      const details = await harness.joblog.getJob(jobId);
      assert.ok(
        details?.logs.some((l) => /Taken over: Server server-a stopped at step "create volume"/.test(l.message)),
      );
      assert.ok(details?.logs.some((l) => /"create volume" had already happened \(inspect\)/.test(l.message)));
      await removeResources(cloud, input.volumeName);
    });

    test(`[${engine}] inspect finding that the step did not happen makes the new owner run it`, async () => {
      // The snapshot job fails in the simulator while the first server dies with it in flight: nothing was made.
      cloud.sim.controls.failJobs('createSnapshot', 1);
      const first = harness.runner('server-a', crashAt('snapshot volume', 'during'));
      const { jobId, input } = await startVolumeJob(harness, first, 'resume', 'not-happened');
      await untilCrashed(first);
      assert.equal(resourcesOf(cloud, input.volumeName).snapshots.length, 0);

      await harness.clock.advance(LEASE.leaseMs + 1);
      const second = harness.runner('server-b');
      assert.deepEqual(await second.recover(), [jobId]);
      await second.whenIdle();
      const job = await assertNothingOrphaned(harness, jobId, input.volumeName);
      assert.equal(job.status, 'completed');
      const steps = await harness.repositories.workflowSteps.listSteps(jobId);
      assert.equal(steps.length, 3, 'the snapshot step ran again in its own row');
      await removeResources(cloud, input.volumeName);
    });

    for (const policy of ['resume', 'compensate', 'pause'] as const) {
      test(`[${engine}] takeover policy ${policy}: a job stopped in the middle of "attach volume"`, async () => {
        const first = harness.runner('server-a', crashAt('attach volume', 'during'));
        const { jobId, input } = await startVolumeJob(harness, first, policy, `policy-${policy}`);
        await untilCrashed(first);
        await harness.clock.advance(LEASE.leaseMs + 1);
        const second = harness.runner('server-b');
        await second.recover();
        await second.whenIdle();
        const job = await assertNothingOrphaned(harness, jobId, input.volumeName);
        const expected = { resume: 'completed', compensate: 'compensated', pause: 'paused' }[policy];
        assert.equal(job.status, expected);
        if (policy === 'compensate') {
          assert.match(job.error_message ?? '', /server-a stopped at step "attach volume".*compensating by policy/);
        }
        if (policy === 'pause') {
          assert.match(
            job.pause_reason ?? '',
            /Server server-a stopped at step "attach volume" \(inspect found it had happened\)/,
          );
          assert.equal(job.lease_owner, null, 'a paused job is held by no server');
          await assert.rejects(second.resume('no-such-job'), /not found/);
          await second.resume(jobId);
          await second.whenIdle();
          const resumed = await assertNothingOrphaned(harness, jobId, input.volumeName);
          assert.equal(resumed.status, 'completed');
          assert.equal(resumed.pause_reason, null);
        }
        if (expected === 'completed' || policy === 'pause') await removeResources(cloud, input.volumeName);
      });
    }

    test(`[${engine}] the operator compensates a paused job`, async () => {
      const first = harness.runner('server-a', crashAt('snapshot volume', 'after'));
      const { jobId, input } = await startVolumeJob(harness, first, 'pause', 'operator-compensate');
      await untilCrashed(first);
      await harness.clock.advance(LEASE.leaseMs + 1);
      const second = harness.runner('server-b');
      await second.recover();
      await second.whenIdle();
      // The last step had happened: recorded from inspect, nothing is left to run, so the job simply completes.
      assert.equal((await jobOf(harness, jobId)).status, 'completed');
      await removeResources(cloud, input.volumeName);
      // Done with it: an open runner would take part in the next takeover when the clock moves.
      await second.close();

      const third = harness.runner('server-c', crashAt('attach volume', 'before'));
      const paused = await startVolumeJob(harness, third, 'pause', 'operator-compensate-2');
      await untilCrashed(third);
      await harness.clock.advance(LEASE.leaseMs + 1);
      const fourth = harness.runner('server-d');
      await fourth.recover();
      await fourth.whenIdle();
      const waiting = await assertNothingOrphaned(harness, paused.jobId, paused.input.volumeName);
      assert.equal(waiting.status, 'paused');
      assert.match(waiting.pause_reason ?? '', /"attach volume" \(it had not started\)/);
      await fourth.compensate(paused.jobId);
      await fourth.whenIdle();
      const undone = await assertNothingOrphaned(harness, paused.jobId, paused.input.volumeName);
      assert.equal(undone.status, 'compensated');
      // It still says why it ended: the decision and the pause's cause, without the question the pause asked.
      assert.equal(
        undone.error_message,
        `Undone on the operator's decision; it was paused: Server server-c stopped at step "attach volume" (it had not started).`,
      );
      assert.equal(undone.error_code, 'MKE_JOB_INTERRUPTED');
    });

    test(`[${engine}] two runners on separate connections race to take over: each job is claimed and run once`, async () => {
      const runs = new Map<string, number>();
      const race = defineWorkflow<{ n: number }>('race', { jobType: 'test-race', takeover: 'resume' })
        .step('count', {
          run: ({ jobId }) => {
            runs.set(jobId, (runs.get(jobId) ?? 0) + 1);
            return Promise.resolve({ counted: true });
          },
          inspect: () => Promise.resolve({ happened: false }),
        })
        .build();
      const repo = harness.repositories.workflowJobs;
      const ids: string[] = [];
      for (let n = 0; n < 24; n++) {
        const id = `${newJobId(harness.clock.now())}-${n}`;
        await repo.createJob({
          id,
          external_job_id: id,
          job_type: 'test-race',
          operation: 'race',
          workflow_name: 'race',
          workflow_input: { n },
          takeover_policy: 'resume',
          total_steps: 1,
          lease_owner: 'dead-server',
          lease_expires_at: new Date(harness.clock.now().getTime() - 1),
        });
        ids.push(id);
      }
      const other = createRepositories(database().openConnection().db, harness.clock);
      const a = harness.runner('race-a', undefined, { workflows: [race] });
      const b = harness.runner('race-b', undefined, { workflows: [race], repositories: other });
      const [claimedByA, claimedByB] = await Promise.all([a.recover(), b.recover()]);
      await Promise.all([a.whenIdle(), b.whenIdle()]);
      const all = [...claimedByA, ...claimedByB];
      assert.equal(new Set(all).size, all.length, 'no job claimed twice');
      assert.deepEqual([...all].sort(), [...ids].sort(), 'every job claimed');
      for (const id of ids) {
        assert.equal(runs.get(id), 1, `job ${id} ran once`);
        assert.equal((await jobOf(harness, id)).status, 'completed');
      }
    });
  });
});
