// The manual clock tests use in place of time: sleepers wake in order when time advances, an abort rejects a
// sleeper, and a long-lived signal does not collect an abort listener per finished sleep.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { ManualClock } from './clock';

test('ManualClock wakes sleepers in order and drops their abort listeners', { timeout: 10_000 }, async () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const controller = new AbortController();
  const woke: number[] = [];
  for (let round = 0; round < 20; round++) {
    const sleeps = [30, 10, 20].map((ms) => clock.sleep(ms, controller.signal).then(() => woke.push(ms)));
    await clock.advance(30);
    await Promise.all(sleeps);
  }
  assert.deepEqual(woke.slice(0, 3), [10, 20, 30]);
  assert.equal(woke.length, 60);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  assert.equal(clock.pendingSleepers, 0);
});

test('ManualClock rejects a sleeper whose signal aborts and forgets it', { timeout: 10_000 }, async () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const controller = new AbortController();
  const sleeping = clock.sleep(1000, controller.signal);
  controller.abort(new Error('stopped'));
  await assert.rejects(sleeping, /stopped/);
  assert.equal(clock.pendingSleepers, 0);
});
