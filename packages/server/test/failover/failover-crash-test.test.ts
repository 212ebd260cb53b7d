// A test failover crashed at every step boundary (before, after) and in the middle of every step, then taken
// over by a restarted server (same id): by policy it is compensated (or completed when its last step had
// happened), and the CloudStack simulator holds nothing orphaned. Also crashes inside the compensation itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CRASH_PHASES } from '../../src/workflows';
import { crashRig, runCrashMatrix, type CrashRig, type CrashScenario } from './failover-crash-fixture';
import { startFailoverStack, twoDiskVm, type FailoverStack } from './failover-fixture';

const VMS = ['tf-01', 'tf-02', 'tf-03', 'tf-04'];

describe('test failover: crash recovery', { timeout: 300_000 }, () => {
  let env: FailoverStack;
  let rig: CrashRig;
  before(async () => {
    env = await startFailoverStack(VMS.map((name, i) => twoDiskVm(name, 16 + i)));
    rig = crashRig(env);
  });
  after(async () => {
    await env.close();
  });

  test('a crash before, during or after each step is compensated, or completed if all had happened', async () => {
    const scenarios: CrashScenario[] = rig.flows.test.steps.flatMap((step) =>
      CRASH_PHASES.map((phase) => ({
        label: `${step.name}:${phase}`,
        crash: (point) => point.kind === 'run' && point.step === step.name && point.phase === phase,
      })),
    );
    const outcomes = await runCrashMatrix(env, rig, VMS, 'test', scenarios);
    const statusOf = (label: string) => outcomes.find((o) => o.label === label)?.view.workflow_status;
    assert.equal(statusOf('validate:before'), 'failed', 'nothing happened: nothing to undo');
    assert.equal(statusOf('create target VM:during'), 'compensated');
    assert.equal(statusOf('attach volumes to target:during'), 'compensated');
    assert.equal(statusOf('update statuses:after'), 'completed', 'a finished last step is not undone');
    for (const outcome of outcomes)
      assert.notEqual(outcome.afterTakeover, 'paused', `${outcome.label}: compensated by policy`);
  });

  test('a crash inside a compensation is recovered to a clean state', async () => {
    const scenarios: CrashScenario[] = [
      'compensate: start target VM',
      'compensate: attach volumes to target',
      'compensate: create target VM',
      'compensate: snapshot volumes',
    ].map((step) => ({
      label: `${step}:during`,
      crash: (point) => point.kind === 'run' && point.step === 'start target VM' && point.phase === 'after',
      secondCrash: (point) => point.kind === 'compensate' && point.step === step && point.phase === 'during',
    }));
    const outcomes = await runCrashMatrix(env, rig, VMS, 'test', scenarios);
    for (const outcome of outcomes) assert.equal(outcome.view.workflow_status, 'compensated', outcome.label);
  });
});
