// RPO states from the age of the last good sync, the schedule's interval and target, and what blocked the VM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rpoOf, type RpoSchedule } from './rpo';

const now = new Date('2026-05-01T12:00:00.000Z');
const ago = (s: number): Date => new Date(now.getTime() - s * 1000);
const every30s: RpoSchedule = {
  id: 's',
  name: 'every-30s',
  enabled: true,
  interval_seconds: 30,
  target_rpo_seconds: null,
};

test('RPO states: ok, warning, breached, pending, unprotected', { timeout: 10_000 }, () => {
  const base = { now, schedule: every30s, hasActiveJob: false, blocker: undefined };
  const ok = rpoOf({ ...base, lastSyncAt: ago(25) });
  assert.deepEqual([ok.state, ok.age_seconds, ok.target_seconds, ok.reason], ['ok', 25, 60, null]);
  // Older than one interval but within the target (twice the interval): fine unless the latest run was blocked.
  assert.equal(rpoOf({ ...base, lastSyncAt: ago(45) }).state, 'ok');
  const warning = rpoOf({ ...base, lastSyncAt: ago(45), blocker: 'no agent is connected' });
  assert.deepEqual([warning.state, warning.reason], ['warning', 'no agent is connected']);
  const breached = rpoOf({ ...base, lastSyncAt: ago(61), blocker: 'no agent is connected' });
  assert.deepEqual(
    [breached.state, breached.reason],
    ['breached', 'no agent is connected; last good sync 61 s ago, target 60 s'],
  );
  assert.equal(rpoOf({ ...base, lastSyncAt: ago(61), schedule: { ...every30s, target_rpo_seconds: 120 } }).state, 'ok');
  assert.equal(rpoOf({ ...base, lastSyncAt: null, hasActiveJob: true }).state, 'pending');
  assert.deepEqual(
    [rpoOf({ ...base, lastSyncAt: null }).state, rpoOf({ ...base, lastSyncAt: null }).reason],
    ['breached', 'no successful sync yet'],
  );
  assert.equal(rpoOf({ ...base, lastSyncAt: ago(5), schedule: undefined }).state, 'unprotected');
  assert.match(
    rpoOf({ ...base, lastSyncAt: ago(5), schedule: { ...every30s, enabled: false } }).reason ?? '',
    /every-30s is disabled/,
  );
});
