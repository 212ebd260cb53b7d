// A live failover crashed at every step boundary (before, after) and in the middle of every step, then taken over
// by a restarted server (same id): by policy it pauses with the reason, the operator compensates it, the source is
// powered on again, and the CloudStack simulator holds nothing orphaned.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CRASH_PHASES } from '../../src/workflows';
import { crashRig, runCrashMatrix, type CrashRig, type CrashScenario } from './failover-crash-fixture';
import { startFailoverStack, twoDiskVm, type FailoverStack } from './failover-fixture';

const VMS = ['lf-01', 'lf-02', 'lf-03', 'lf-04', 'lf-05'];

describe('live failover: crash recovery', { timeout: 300_000 }, () => {
  let env: FailoverStack;
  let rig: CrashRig;
  before(async () => {
    env = await startFailoverStack(VMS.map((name, i) => twoDiskVm(name, 32 + i)));
    rig = crashRig(env);
  });
  after(async () => {
    await env.close();
  });

  test('a crash before, during or after each step pauses for the operator, who compensates it', async () => {
    const scenarios: CrashScenario[] = rig.flows.live.steps.flatMap((step) =>
      CRASH_PHASES.map((phase) => ({
        label: `${step.name}:${phase}`,
        crash: (point) => point.kind === 'run' && point.step === step.name && point.phase === phase,
        // The final sync (an incremental replication) only where it is the step under test.
        options: { final_sync: step.name === 'final sync' },
      })),
    );
    const outcomes = await runCrashMatrix(env, rig, VMS, 'live', scenarios);
    for (const outcome of outcomes) {
      // The last step's work had finished (during: in flight when the server died): nothing left to decide.
      if (outcome.label === 'update statuses:during' || outcome.label === 'update statuses:after') {
        assert.equal(outcome.afterTakeover, 'completed', `${outcome.label}: every step had happened`);
        continue;
      }
      assert.equal(outcome.afterTakeover, 'paused', `${outcome.label}: paused by policy`);
      assert.equal(outcome.view.workflow_status, 'compensated', `${outcome.label}: compensated by the operator`);
    }
  });
});
