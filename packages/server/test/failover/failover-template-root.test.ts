// The target VM's template root disk detached by "attach volumes to target" but not deleted (deleteVolume
// refused), then the compensation stops before its sweep deletes it, or the sweep's own delete is refused: the
// failover is cleanup_required and the automatic repair (failover-repair) must delete that disk. CloudStack shows
// a detached root as a data disk, so only the id the failover recorded finds it; without it the disk is orphaned
// (what failover-faults.test.ts saw now and then as "data volume ROOT-n is attached").
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertNothingOrphaned, autoRepairOf, settledStatus } from './failover-crash-fixture';
import { startFailoverStack, twoDiskVm, type FailoverStack } from './failover-fixture';

const VM = 'tr-01';

describe('failover: a template root disk left detached', { timeout: 120_000 }, () => {
  let env: FailoverStack;
  before(async () => {
    env = await startFailoverStack([twoDiskVm(VM, 70)]);
  });
  after(async () => {
    env.estate.cloudstack.controls.clear();
    await env.close();
  });

  /** Runs a test failover with `faults` armed; it must end cleanup_required, then be repaired clean. */
  async function repairedAfter(arm: () => void, failedStep: RegExp): Promise<void> {
    const { services } = env.stack.server;
    arm();
    const started = await services.failover.start({ vm: VM, type: 'test', options: { final_sync: false } });
    const view = await settledStatus(services.failover, started.job_id);
    assert.equal(view.workflow_status, 'cleanup_required', view.error_message ?? '');
    assert.match(view.error_message ?? '', failedStep);
    assert.match(view.error_message ?? '', /Step "attach volumes to target" failed/);
    assert.equal(await autoRepairOf(env, view.job_id), 'completed');
    const repaired = await services.failover.status(view.job_id);
    assert.equal(repaired.status, 'cleaned_up');
    assertNothingOrphaned(env, [repaired]);
  }

  test('the compensation stops before the sweep: the repair deletes the detached template root', () =>
    repairedAfter(() => {
      const faults = env.estate.cloudstack.controls;
      // The first deleteVolume is the template root's, right after its detach; the first destroy is the
      // compensation's of the target VM, which then stops short of the sweep.
      faults.failNext('deleteVolume', 1, { errortext: 'template root delete refused (test)' });
      faults.failNext('destroyVirtualMachine', 1, { errortext: 'destroy refused (test)' });
    }, /compensate: create target VM failed: .*destroy refused/));

  test('the sweep cannot delete it either: the repair deletes the detached template root', () =>
    repairedAfter(() => {
      // The template root's delete is refused in the attach step and again in the sweep.
      env.estate.cloudstack.controls.failNext('deleteVolume', 2, { errortext: 'template root delete refused (test)' });
    }, /compensate: validate failed: .*template root delete refused/));
});
