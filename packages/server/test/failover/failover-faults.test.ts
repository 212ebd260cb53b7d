// 50 failovers (test, and every fifth live) with 10% of CloudStack calls and jobs failing (the simulator's seeded
// fault injection): every failover ends completed, compensated/failed, or cleanup_required with a reason; none is
// left running; the simulator holds nothing orphaned. A cleanup_required one is compensated again by the operator
// once CloudStack behaves, which ends it clean.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FailoverStatusView } from '../../src/failover';
import { assertNothingOrphaned, resetFailover, settledStatus } from './failover-crash-fixture';
import { startFailoverStack, twoDiskVm, type FailoverStack } from './failover-fixture';

const VMS = ['ff-01', 'ff-02', 'ff-03', 'ff-04', 'ff-05'];
const ROUNDS = 10;

describe('failover under CloudStack faults', { timeout: 300_000 }, () => {
  let env: FailoverStack;
  before(async () => {
    env = await startFailoverStack(VMS.map((name, i) => twoDiskVm(name, 48 + i)));
  });
  after(async () => {
    await env.close();
  });

  test('50 failovers with 10% injected failures end settled with nothing orphaned', async (t) => {
    const { services } = env.stack.server;
    const faults = env.estate.cloudstack.controls;
    const tally = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      faults.setFailureRate(0.1, { seed: 1000 + round });
      const started = await Promise.all(
        VMS.map((vm, n) =>
          services.failover.start({
            vm,
            type: n === 0 ? 'live' : 'test',
            options: { final_sync: false, shutdown_timeout_ms: 2_000 },
          }),
        ),
      );
      const views: FailoverStatusView[] = [];
      for (const job of started) views.push(await settledStatus(services.failover, job.job_id));
      faults.setFailureRate(0);
      for (const [i, view] of views.entries()) {
        tally.set(view.workflow_status ?? 'none', (tally.get(view.workflow_status ?? 'none') ?? 0) + 1);
        assert.notEqual(view.workflow_status, 'running');
        assert.ok(['completed', 'failed', 'cleanup_required'].includes(view.status), `${view.job_id}: ${view.status}`);
        if (view.status !== 'completed') assert.ok((view.error_message ?? '').length > 0, 'a failure says why');
        if (view.status === 'cleanup_required') {
          // The operator runs the compensation again once CloudStack answers.
          await services.failover.decide(view.job_id, 'compensate');
          views[i] = await settledStatus(services.failover, view.job_id);
          assert.equal(views[i]?.workflow_status, 'compensated', views[i]?.error_message ?? '');
          assert.ok(['cleaned_up', 'rolled_back'].includes(views[i]?.status ?? ''), views[i]?.status);
        }
      }
      assertNothingOrphaned(env, views);
      for (const view of views) if (view.status === 'completed') await resetFailover(env, view);
    }
    t.diagnostic(`workflow outcomes: ${JSON.stringify(Object.fromEntries(tally))}`);
    const total = [...tally.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, VMS.length * ROUNDS);
    assert.ok((tally.get('completed') ?? 0) > 0, `some failovers completed: ${JSON.stringify([...tally])}`);
    assert.ok((tally.get('completed') ?? 0) < total, `the faults made some fail: ${JSON.stringify([...tally])}`);
  });
});
