// A server that dies in the middle of a recovery plan run (docs/recovery-plans.md#a-run): the runner halts at
// a stage boundary as a killed process would, a runner with the same server id takes the parent job over, and
// the run ends completed with exactly one failover per VM. Crash points: before stage 2 (nothing of it
// recorded) and after stage 1 (its failovers completed, the stage's output never recorded: inspect must find
// them, not start them again). Each run is then undone to nothing left behind.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { FailoverService, asRegistered, failoverWorkflows } from '../../src/failover';
import { RecoveryPlanService, recoveryPlanWorkflows, type RecoveryPlanDeps } from '../../src/recovery-plans';
import type { Principal } from '../../src/security/roles';
import { createWorkflowRunner, type CrashHook, type CrashPhase, type WorkflowRunner } from '../../src/workflows';
import { untilCrashed } from '../failover/failover-crash-fixture';
import { failoverDepsOf, startFailoverStack, twoDiskVm, type FailoverStack } from '../failover/failover-fixture';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const admin: Principal = { userId: 'u', username: 'admin', role: 'admin', via: 'token', credentialId: 'c' };

interface Rig {
  runner: WorkflowRunner;
  plans: RecoveryPlanService;
  close(): Promise<void>;
}

/** A runner with the failover and plan workflows, and the services bound to it, over the stack's database. */
function rig(env: FailoverStack, serverId: string, crashHook?: CrashHook): Rig {
  const { services, composition } = env.stack.server;
  const { adapters } = composition;
  const deps = { ...failoverDepsOf(env.stack), logger: quiet };
  const flows = failoverWorkflows(deps);
  let start: RecoveryPlanDeps['startFailover'] = () => Promise.reject(new Error('not bound'));
  const planFlows = recoveryPlanWorkflows({
    repositories: adapters.repositories,
    clock: adapters.clock,
    logger: quiet,
    startFailover: (request) => start(request),
    cloud: async () => (await services.cloudStack.active()).client,
    pause: (ms, signal) => delay(ms, undefined, { signal }),
    pollMs: 100,
  });
  const runner = createWorkflowRunner({
    repositories: adapters.repositories,
    joblog: adapters.joblog,
    clock: adapters.clock,
    logger: quiet,
    serverId,
    workflows: [...asRegistered(flows), ...planFlows.values()],
    lease: { leaseMs: 60_000, heartbeatMs: 20_000 },
    ...(crashHook === undefined ? {} : { crashHook }),
  });
  const failover = new FailoverService({ ...deps, runner, workflows: flows, events: adapters.events });
  start = (request) => failover.start(request);
  const plans = new RecoveryPlanService({
    repositories: adapters.repositories,
    runner,
    workflows: planFlows,
    recovery: services.recovery,
    audit: services.audit,
    clock: adapters.clock,
    logger: quiet,
  });
  return {
    runner,
    plans,
    close: async () => {
      await runner.close();
      failover.close();
      plans.close();
    },
  };
}

describe('recovery plan run across a server crash', { timeout: 180_000 }, () => {
  let env: FailoverStack;
  before(async () => {
    env = await startFailoverStack(
      ['rc-db', 'rc-app'].map((name, i) => twoDiskVm(name, 90 + i)),
      { MIGRATEKIT_CONVERTER: 'off' },
    );
    const { services } = env.stack.server;
    await services.recoveryPlans.create(
      {
        name: 'rc-plan',
        stages: [
          { name: 'databases', members: [{ vm_context_id: 'rc-db' }] },
          { name: 'apps', members: [{ vm_context_id: 'rc-app' }] },
        ],
      },
      { principal: admin },
    );
  });
  after(async () => {
    await env.close();
  });

  const cases: Array<[string, CrashPhase]> = [
    ['stage 2', 'before'],
    ['stage 1', 'after'],
  ];
  for (const [step, phase] of cases)
    test(`crash at ${step}:${phase}: the run resumes and completes with one failover per VM`, async () => {
      const serverId = `plan-crash-${phase}`;
      const first = rig(env, serverId, (p) => p.workflow === 'recovery-plan-2' && p.step === step && p.phase === phase);
      const started = await first.plans.run('rc-plan', 'test', { principal: admin });
      await untilCrashed(first.runner);
      await first.close().catch(() => undefined);

      const second = rig(env, serverId);
      assert.ok((await second.runner.recover()).includes(started.job_id), 'the parent job is taken over');
      await second.runner.whenIdle();
      const run = await second.plans.getRun('rc-plan', started.id);
      assert.equal(run.status, 'completed', run.error_message ?? '');
      const { repositories } = env.stack.server.composition.adapters;
      const children = await repositories.jobLog.listChildren(started.job_id);
      assert.deepEqual(
        children.map((c) => c.vm_context_id).sort(),
        [env.contexts.get('rc-db'), env.contexts.get('rc-app')].sort(),
        'exactly one failover per VM',
      );
      assert.equal(env.estate.cloudstack.inventory().vms.filter((vm) => !vm.isServer).length, 2);
      await second.close();

      const undoing = await env.stack.server.services.recoveryPlans.undo(
        'rc-plan',
        started.id,
        {},
        { principal: admin },
      );
      assert.equal(undoing.undo_jobs.length, 2);
      for (let i = 0; i < 600; i++) {
        const view = await env.stack.server.services.recoveryPlans.getRun('rc-plan', started.id);
        if (view.status !== 'undoing') {
          assert.equal(view.status, 'undone', view.error_message ?? '');
          break;
        }
        await delay(100);
      }
      assert.deepEqual(
        env.estate.cloudstack.inventory().vms.filter((vm) => !vm.isServer),
        [],
      );
    });
});
