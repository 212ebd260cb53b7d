import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { LoginThrottle } from './login-throttle';

test(
  'after maxFailures the ip+username pair waits out the window; others are unaffected',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(clock, { maxFailures: 3, windowMs: 60_000, maxEntries: 100 });
    for (let i = 0; i < 3; i++) {
      assert.equal(throttle.retryAfterSeconds('10.0.0.1', 'admin'), 0);
      throttle.recordFailure('10.0.0.1', 'admin');
    }
    assert.equal(throttle.retryAfterSeconds('10.0.0.1', 'admin'), 60);
    assert.equal(throttle.retryAfterSeconds('10.0.0.1', 'ADMIN'), 60, 'usernames compare case-insensitively');
    assert.equal(throttle.retryAfterSeconds('10.0.0.2', 'admin'), 0);
    assert.equal(throttle.retryAfterSeconds('10.0.0.1', 'operator'), 0);
    await clock.advance(30_000);
    assert.equal(throttle.retryAfterSeconds('10.0.0.1', 'admin'), 30);
    await clock.advance(30_000);
    assert.equal(throttle.retryAfterSeconds('10.0.0.1', 'admin'), 0);
  },
);

test('a success clears the failures of its pair', { timeout: 120_000 }, () => {
  const throttle = new LoginThrottle(new ManualClock(), { maxFailures: 2, windowMs: 60_000, maxEntries: 100 });
  throttle.recordFailure('ip', 'u');
  throttle.recordSuccess('ip', 'u');
  throttle.recordFailure('ip', 'u');
  assert.equal(throttle.retryAfterSeconds('ip', 'u'), 0);
});

test('memory stays bounded under a flood of usernames', { timeout: 120_000 }, () => {
  const throttle = new LoginThrottle(new ManualClock(), { maxFailures: 1, windowMs: 60_000, maxEntries: 10 });
  for (let i = 0; i < 100; i++) throttle.recordFailure('ip', `user${i}`);
  assert.ok(throttle.retryAfterSeconds('ip', 'user99') > 0, 'the newest entries are kept');
  assert.equal(throttle.retryAfterSeconds('ip', 'user0'), 0, 'the oldest entries were dropped');
});
