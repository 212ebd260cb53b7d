// The failed-execution cleanup after REAL failovers (the failover workflows on the dev stack, agent and vCenter
// included): seeded scenarios crash a test or live failover at a random step boundary and restart the server
// (a test failover is compensated by policy, a live one pauses for the operator), or let a failover finish and
// fail its cleanup or rollback with an injected CloudStack fault. Then the cleanup runs: clean state, the
// volumes hold the source's bytes, a live source is powered on again, and a second cleanup changes nothing.
// MIGRATEKIT_REAL_SCENARIOS sets the count (default 4), MIGRATEKIT_SEED replays; both are printed.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { FailoverService, asRegistered, failoverWorkflows } from '../../src/failover';
import {
  FAILOVER_SNAPSHOT_PREFIX,
  RecoveryService,
  agentSourcePower,
  recoveryWorkflows,
  type RecoveryDeps,
} from '../../src/failover/recovery';
import { CRASH_PHASES, createWorkflowRunner, type CrashHook, type WorkflowRunner } from '../../src/workflows';
import { settledStatus, untilCrashed } from '../failover/failover-crash-fixture';
import {
  failoverDepsOf,
  powerStateOf,
  sourceHashes,
  startFailoverStack,
  twoDiskVm,
  volumeHashes,
  type FailoverStack,
} from '../failover/failover-fixture';

const COUNT = Number(process.env.MIGRATEKIT_REAL_SCENARIOS ?? 4);
const SEED = Number(process.env.MIGRATEKIT_SEED ?? Math.floor(Math.random() * 2 ** 31));
const VMS = ['rf-01', 'rf-02'];
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

interface Rig {
  runner: WorkflowRunner;
  failover: FailoverService;
  recovery: RecoveryService;
}

describe('failed-execution cleanup after real failovers', { timeout: 600_000 }, () => {
  let env: FailoverStack;
  let build: (crashHook?: CrashHook) => Rig;
  let flowSteps: Record<'test' | 'live', string[]>;
  before(async () => {
    env = await startFailoverStack(VMS.map((name, i) => twoDiskVm(name, 40 + i)));
    const { services, composition } = env.stack.server;
    const { adapters } = composition;
    const deps = { ...failoverDepsOf(env.stack), logger: quiet };
    const flows = failoverWorkflows(deps);
    flowSteps = { test: flows.test.steps.map((s) => s.name), live: flows.live.steps.map((s) => s.name) };
    const recoveryDeps: RecoveryDeps = {
      repositories: adapters.repositories,
      volumes: services.volumes,
      cloud: async () => {
        const active = await services.cloudStack.withServerVm();
        return { client: active.client, serverVmId: active.serverVmId };
      },
      sourcePower: agentSourcePower({
        agents: services.agentRouter,
        credentials: services.vmwareCredentials,
        repositories: adapters.repositories,
      }),
      clock: adapters.clock,
      logger: quiet,
      pause: (ms, signal) => delay(ms, undefined, { signal }),
    };
    const recFlows = recoveryWorkflows(recoveryDeps);
    build = (crashHook) => {
      const runner = createWorkflowRunner({
        repositories: adapters.repositories,
        joblog: adapters.joblog,
        clock: adapters.clock,
        logger: quiet,
        serverId: 'real-scenario-server',
        workflows: [...asRegistered(flows), ...Object.values(recFlows)],
        lease: { leaseMs: 60_000, heartbeatMs: 20_000 },
        ...(crashHook === undefined ? {} : { crashHook }),
      });
      return {
        runner,
        failover: new FailoverService({ ...deps, runner, workflows: flows, events: adapters.events }),
        recovery: new RecoveryService({
          repositories: adapters.repositories,
          runner,
          workflows: recFlows,
          recovery: recoveryDeps,
          audit: services.audit,
          clock: adapters.clock,
        }),
      };
    };
  });
  after(async () => {
    await env.close();
  });

  async function assertCleanAndMatching(vm: string, contextId: string, story: string) {
    const inventory = env.estate.cloudstack.inventory();
    assert.deepEqual(
      inventory.vms.filter((v) => !v.isServer).map((v) => v.name),
      [],
      `${story}: no target VM left`,
    );
    assert.deepEqual(
      inventory.snapshots.filter((s) => s.name.startsWith(FAILOVER_SNAPSHOT_PREFIX)).map((s) => s.name),
      [],
      `${story}: no failover snapshot left`,
    );
    assert.deepEqual(
      inventory.volumes.filter((v) => v.vmId !== inventory.serverVmId).map((v) => v.name),
      [],
      `${story}: every volume is on the server`,
    );
    const { repositories, nbdTarget } = env.stack.server.composition.adapters;
    const rows = await repositories.cloudstackVolumes.listByContext(contextId);
    for (const row of rows) assert.ok(nbdTarget.hasVolumeExport(row.volume_id), `${story}: ${row.volume_id} exported`);
    assert.equal((await repositories.contexts.require(contextId)).current_status, 'ready_for_failover', story);
    const source = await sourceHashes(env.estate, vm);
    const ordered = rows.sort((a, b) => (a.disk_id ?? '').localeCompare(b.disk_id ?? '')).map((r) => r.volume_id);
    assert.deepEqual(volumeHashes(env.estate, ordered, source.capacities), source.hashes, `${story}: last-sync bytes`);
  }

  async function interruptedFailover(rng: () => number, vm: string, type: 'test' | 'live'): Promise<string> {
    const step = pick(rng, flowSteps[type]);
    const phase = pick(rng, CRASH_PHASES);
    const first = build((point) => point.kind === 'run' && point.step === step && point.phase === phase);
    const started = await first.failover.start({ vm, type, options: { shutdown_timeout_ms: 2_000 } });
    if (!first.runner.isHalted) await first.runner.whenIdle();
    if (first.runner.isHalted) await untilCrashed(first.runner);
    else await first.runner.close();
    const second = build();
    await second.runner.recover();
    await second.runner.whenIdle();
    const view = await settledStatus(second.failover, started.job_id);
    await second.runner.close();
    return `${type} failover crashed at ${step}:${phase}, taken over: ${view.workflow_status ?? '?'}`;
  }

  async function failedRecovery(rng: () => number, vm: string, type: 'test' | 'live'): Promise<string> {
    const rig = build();
    const started = await rig.failover.start({ vm, type, options: { shutdown_timeout_ms: 2_000 } });
    await rig.runner.whenIdle();
    const view = await settledStatus(rig.failover, started.job_id);
    assert.equal(view.status, 'completed', JSON.stringify(view));
    const command = pick(rng, ['stopVirtualMachine', 'detachVolume', 'revertSnapshot', 'attachVolume']);
    env.estate.cloudstack.controls.failNext(command, 1, { errorcode: 431, errortext: 'injected by the test' });
    const recovery = await rig.recovery.rollback({ vm, failoverType: type }, { principal: quietPrincipal });
    await rig.runner.whenIdle();
    env.estate.cloudstack.controls.clear();
    const job = await env.stack.server.composition.adapters.repositories.workflowJobs.getJob(recovery.job_id);
    await rig.runner.close();
    return `${type} ${recovery.workflow} with a fault on ${command}: ${job?.status ?? '?'}`;
  }

  test(`${COUNT} seeded real-failover scenarios end clean after the cleanup`, async () => {
    console.log(`real-failover scenarios: seed ${SEED}, count ${COUNT}`);
    const rng = random(SEED);
    for (let i = 1; i <= COUNT; i++) {
      const vm = VMS[(i - 1) % VMS.length] as string;
      const contextId = env.contexts.get(vm) as string;
      const type = pick(rng, ['test', 'live'] as const);
      const story =
        `#${i} ` + (rng() < 0.6 ? await interruptedFailover(rng, vm, type) : await failedRecovery(rng, vm, type));
      const rig = build();
      const repair = await rig.recovery.repair(vm, 'system', { powerOnSource: true });
      await rig.runner.whenIdle();
      const job = await env.stack.server.composition.adapters.repositories.workflowJobs.getJob(repair.job_id);
      assert.equal(job?.status, 'completed', `${story}: the cleanup completes (${job?.error_message ?? ''})`);
      await assertCleanAndMatching(vm, contextId, story);
      assert.equal(powerStateOf(env.estate, vm), 'poweredOn', `${story}: the source runs`);
      const inventory = JSON.stringify(env.estate.cloudstack.inventory());
      const again = await rig.recovery.repair(vm, 'system');
      await rig.runner.whenIdle();
      assert.deepEqual(again.failover_job_ids, [], `${story}: nothing left open`);
      assert.equal(
        JSON.stringify(env.estate.cloudstack.inventory()),
        inventory,
        `${story}: a second cleanup is a no-op`,
      );
      await rig.runner.close();
      console.log(`real-failover scenarios: ${story}: clean`);
    }
  });
});

const quietPrincipal = { userId: 'u-test', username: 'tester', role: 'admin' } as never;
