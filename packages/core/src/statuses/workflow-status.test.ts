import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACTIVE_WORKFLOW_STATUSES,
  TERMINAL_WORKFLOW_STATUSES,
  WORKFLOW_STATUSES,
  WORKFLOW_TRANSITIONS,
  allowedWorkflowSources,
  canWorkflowTransition,
} from './workflow-status';

test('workflow statuses: the saga paths are allowed', { timeout: 5_000 }, () => {
  const paths = [
    ['running', 'completed'],
    ['running', 'compensating'],
    ['compensating', 'compensated'],
    ['compensating', 'cleanup_required'],
    ['cleanup_required', 'compensating'],
    ['running', 'paused'],
    ['paused', 'running'],
    ['paused', 'compensating'],
  ] as const;
  for (const [from, to] of paths) assert.ok(canWorkflowTransition(from, to), `${from} -> ${to}`);
});

test(
  'workflow statuses: ended jobs stay ended and a compensation cannot be declared complete',
  { timeout: 5_000 },
  () => {
    assert.deepEqual([...TERMINAL_WORKFLOW_STATUSES].sort(), ['cancelled', 'compensated', 'completed', 'failed']);
    assert.equal(canWorkflowTransition('compensating', 'completed'), false);
    assert.equal(canWorkflowTransition('cleanup_required', 'completed'), false);
    assert.equal(canWorkflowTransition('paused', 'completed'), false);
    for (const status of ACTIVE_WORKFLOW_STATUSES) assert.ok(!TERMINAL_WORKFLOW_STATUSES.includes(status));
  },
);

test(
  'workflow statuses: the table names only known statuses and allowedWorkflowSources inverts it',
  { timeout: 5_000 },
  () => {
    for (const [from, targets] of Object.entries(WORKFLOW_TRANSITIONS)) {
      assert.ok((WORKFLOW_STATUSES as readonly string[]).includes(from));
      for (const to of targets) assert.ok(allowedWorkflowSources(to).includes(from as never));
    }
    assert.deepEqual(allowedWorkflowSources('compensated'), ['compensating']);
  },
);
