import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crashHookFromEnv, parseCrashAt } from './crash-points';
import { compensationStepName, defineWorkflow } from './workflow-definition';

const inspect = () => Promise.resolve({ happened: false as const });

describe('workflow definitions and crash points', { timeout: 5_000 }, () => {
  test('a workflow keeps its steps in declaration order and types each step with the earlier outputs', () => {
    const workflow = defineWorkflow<{ name: string }>('typed', { jobType: 'test', takeover: 'pause' })
      .step('first', { run: ({ input }) => Promise.resolve({ length: input.name.length }), inspect })
      .step('second', { run: ({ outputs }) => Promise.resolve(outputs.first.length * 2), inspect })
      .build();
    assert.deepEqual(
      workflow.steps.map((s) => s.name),
      ['first', 'second'],
    );
    assert.equal(workflow.takeover, 'pause');
    assert.equal(compensationStepName('first'), 'compensate: first');
  });

  test('duplicate, empty or colon-bearing names are refused, and so is a workflow without steps', () => {
    const builder = defineWorkflow<null>('w', { jobType: 'test', takeover: 'resume' });
    const once = builder.step('a', { run: () => Promise.resolve(1), inspect });
    assert.throws(() => once.step('a', { run: () => Promise.resolve(2), inspect }), /duplicate step "a"/);
    assert.throws(() => builder.step('a:b', { run: () => Promise.resolve(1), inspect }), /no ':'/);
    assert.throws(() => builder.step('', { run: () => Promise.resolve(1), inspect }), /non-empty/);
    assert.throws(() => builder.build(), /has no steps/);
    assert.throws(() => defineWorkflow('x:y', { jobType: 'test', takeover: 'resume' }), /no ':'/);
  });

  test('MIGRATEKIT_CRASH_AT names a workflow, a step (which may hold a colon) and a phase', () => {
    assert.deepEqual(parseCrashAt('test-failover:create target VM:before'), {
      workflow: 'test-failover',
      step: 'create target VM',
      phase: 'before',
    });
    assert.deepEqual(parseCrashAt('test-failover:compensate: create target VM:during'), {
      workflow: 'test-failover',
      step: 'compensate: create target VM',
      phase: 'during',
    });
    for (const bad of ['nope', 'wf:step:later', ':step:before', 'wf::after']) assert.throws(() => parseCrashAt(bad));
    assert.equal(crashHookFromEnv({}), undefined);
    const hook = crashHookFromEnv({ MIGRATEKIT_CRASH_AT: 'wf:step:after' });
    assert.ok(hook);
    // Only a point that does not match is safe to ask about here: a match kills the process.
    assert.equal(hook({ workflow: 'wf', step: 'step', phase: 'before', kind: 'run', jobId: 'j' }), false);
    assert.equal(hook({ workflow: 'other', step: 'step', phase: 'after', kind: 'run', jobId: 'j' }), false);
  });
});
