import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTEXT_STATUSES, CONTEXT_TRANSITIONS, allowedSources, canTransition } from './context-status';

test('the happy paths of docs/model.md#context-status are allowed', { timeout: 120_000 }, () => {
  const path = [
    ['discovered', 'replicating'],
    ['replicating', 'ready_for_failover'],
    ['ready_for_failover', 'failed_over_test'],
    ['failed_over_test', 'ready_for_failover'],
    ['ready_for_failover', 'failed_over_live'],
    ['failed_over_live', 'ready_for_failover'],
    ['failed_over_live', 'completed'],
  ] as const;
  for (const [from, to] of path) assert.ok(canTransition(from, to), `${from} -> ${to}`);
});

test('illegal transitions are refused', { timeout: 120_000 }, () => {
  assert.equal(canTransition('discovered', 'failed_over_live'), false);
  assert.equal(canTransition('failed_over_test', 'failed_over_live'), false);
  assert.equal(canTransition('completed', 'replicating'), false);
  assert.equal(canTransition('replicating', 'replicating'), false);
});

test('the transition table names only known statuses and allowedSources inverts it', { timeout: 120_000 }, () => {
  for (const [from, targets] of Object.entries(CONTEXT_TRANSITIONS)) {
    assert.ok((CONTEXT_STATUSES as readonly string[]).includes(from));
    for (const to of targets) assert.ok(allowedSources(to).includes(from as never));
  }
  assert.deepEqual(allowedSources('failed_over_test'), ['ready_for_failover']);
});
