// Crash at every step boundary (before / during / after each step and each compensation) through the runner's
// crash hook, then recovery by a new runner instance: every job ends terminal or paused with a reason, and the
// simulator holds nothing that is not recorded (a paused job is then compensated by the operator to nothing).
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { describeOnEngines } from '@migratekit/db/testing';
import { CRASH_PHASES, type CrashHook } from '../../src/workflows';
import {
  LEASE,
  assertNothingOrphaned,
  createHarness,
  removeResources,
  startSimCloud,
  startVolumeJob,
  untilCrashed,
  type Harness,
  type SimCloudHandle,
} from './workflow-fixture';

const STEPS = ['create volume', 'attach volume', 'snapshot volume'];
const POLICIES = ['resume', 'compensate', 'pause'] as const;

describe('workflow crash recovery', { timeout: 300_000 }, () => {
  let cloud: SimCloudHandle;
  before(async () => {
    cloud = await startSimCloud();
  });
  after(async () => {
    await cloud.close();
  });

  describeOnEngines('workflow crash recovery', ({ engine, database }) => {
    let harness: Harness;
    let round = 0;
    beforeEach(() => {
      harness = createHarness(cloud, database());
      cloud.sim.controls.clear();
    });
    afterEach(async () => {
      await harness.closeRunners();
    });

    /** Crashes a first runner where `crash` says, recovers with a second one; returns the settled job. */
    async function crashAndRecover(policy: (typeof POLICIES)[number], crash: CrashHook, label: string) {
      const first = harness.runner(`crashing-${++round}`, crash);
      const { jobId, input } = await startVolumeJob(harness, first, policy, label);
      await untilCrashed(first);
      await harness.clock.advance(LEASE.leaseMs + 1);
      const second = harness.runner(`recovering-${round}`);
      assert.deepEqual(await second.recover(), [jobId], 'the new runner takes the crashed job over');
      await second.whenIdle();
      let job = await assertNothingOrphaned(harness, jobId, input.volumeName);
      if (job.status === 'paused') {
        await second.compensate(jobId);
        await second.whenIdle();
        job = await assertNothingOrphaned(harness, jobId, input.volumeName);
        assert.equal(job.status, 'compensated', 'the operator compensates the paused job to nothing');
      }
      if (job.status === 'completed') await removeResources(cloud, input.volumeName);
      await second.close();
      return job;
    }

    for (const policy of POLICIES) {
      test(`[${engine}] policy ${policy}: a crash before, during or after each step is recovered`, async () => {
        const outcomes: string[] = [];
        for (const step of STEPS) {
          for (const phase of CRASH_PHASES) {
            const job = await crashAndRecover(
              policy,
              (point) => point.kind === 'run' && point.step === step && point.phase === phase,
              `${policy}-${phase}`,
            );
            outcomes.push(`${step}:${phase}=${job.status}`);
          }
        }
        // resume always finishes; compensate undoes unless the last step had already happened.
        for (const outcome of outcomes) {
          const status = outcome.split('=')[1];
          if (policy === 'resume') assert.equal(status, 'completed', outcome);
          else assert.ok(['completed', 'compensated', 'failed'].includes(status ?? ''), outcome);
        }
        if (policy === 'compensate') {
          assert.ok(outcomes.includes('snapshot volume:after=completed'), 'a finished last step is not undone');
          assert.ok(outcomes.includes('attach volume:during=compensated'));
          assert.ok(outcomes.includes('create volume:before=failed'), 'nothing happened: nothing to undo');
        }
      });
    }

    test(`[${engine}] a crash before, during or after each compensation is recovered to a clean state`, async () => {
      for (const step of ['compensate: attach volume', 'compensate: create volume']) {
        for (const phase of CRASH_PHASES) {
          // The snapshot fails in the simulator: the first runner compensates and dies inside a compensation.
          cloud.sim.controls.failJobs('createSnapshot', 1);
          const job = await crashAndRecover(
            'resume',
            (point) => point.kind === 'compensate' && point.step === step && point.phase === phase,
            `comp-${phase}`,
          );
          assert.equal(job.status, 'compensated', `${step}:${phase}`);
          assert.match(job.error_message ?? '', /snapshot volume/, 'the original failure is kept');
        }
      }
    });
  });
});
