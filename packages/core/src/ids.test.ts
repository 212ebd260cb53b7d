import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newContextId, newJobId, slugifyVmName } from './ids';
import { ManualClock } from './clock';

test('context ids follow ctx-<vm>-<yyyymmdd-hhmmss>', { timeout: 120_000 }, () => {
  const id = newContextId('PG Test 1', new Date('2025-09-22T21:00:37Z'));
  assert.match(id, /^ctx-pg-test-1-20250922-210037-[0-9a-f]{4}$/);
  assert.equal(slugifyVmName('***'), 'vm');
});

test('job ids stay unique when many are created in the same millisecond', { timeout: 120_000 }, () => {
  const now = new Date('2025-09-20T06:08:53.973Z');
  const ids = new Set(Array.from({ length: 10_000 }, () => newJobId(now)));
  assert.equal(ids.size, 10_000);
  assert.match([...ids][0] ?? '', /^job-20250920-060853\.973-[0-9a-f]{12}$/);
});

test('ManualClock wakes sleepers only when time is advanced', { timeout: 120_000 }, async () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  let woke = false;
  const sleeping = clock.sleep(1000).then(() => {
    woke = true;
  });
  await clock.advance(999);
  assert.equal(woke, false);
  await clock.advance(1);
  await sleeping;
  assert.equal(woke, true);
  assert.equal(clock.now().toISOString(), '2026-01-01T00:00:01.000Z');
});

test('ManualClock sleep rejects when aborted', { timeout: 120_000 }, async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const sleeping = clock.sleep(1000, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(sleeping, /stop/);
  assert.equal(clock.pendingSleepers, 0);
});
