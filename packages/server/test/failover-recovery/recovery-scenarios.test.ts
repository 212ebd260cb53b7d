// Randomized, seeded: a failover, a cleanup or a rollback is interrupted at a random step (a crash of the server,
// an injected CloudStack failure, or an operator's action in between), then the failed-execution cleanup runs.
// Every scenario must end clean (volumes on the server with exports and their last-sync bytes, no failover
// snapshot, no VM but the server, no detached volume) and a second cleanup must change nothing.
// MIGRATEKIT_SCENARIOS sets the count, MIGRATEKIT_SEED replays a run; both are printed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CRASH_PHASES, type CrashHook } from '../../src/workflows';
import { RECOVERY_STEPS } from '../../src/failover/recovery';
import {
  FAILOVER_STEPS,
  OPERATOR,
  WRITTEN_REGION,
  assertClean,
  failoverHalfState,
  replicatedVm,
  settle,
  startRecoveryHarness,
  volumeHash,
  type RecoveryHarness,
  type ReplicatedVm,
} from './recovery-fixture';

const COUNT = Number(process.env.MIGRATEKIT_SCENARIOS ?? 25);
const SEED = Number(process.env.MIGRATEKIT_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: small, seedable, good enough to pick scenarios. */
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

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

/** CloudStack commands a recovery step sends; a fault on one fails that step. */
const RECOVERY_COMMANDS = [
  'stopVirtualMachine',
  'detachVolume',
  'revertSnapshot',
  'deleteSnapshot',
  'attachVolume',
  'destroyVirtualMachine',
];

const OPERATOR_ACTIONS = [
  'stop target',
  'start target',
  'destroy target (no expunge)',
  'detach a volume',
  'delete a snapshot',
];

// A scenario takes about 3 s on a loaded 2-core machine; the limit scales with the count.
describe('failover recovery: randomized interruptions', { timeout: 120_000 + COUNT * 12_000 }, () => {
  let h: RecoveryHarness;
  let baselineVms: Set<string>;
  const vms: ReplicatedVm[] = [];
  before(async () => {
    h = await startRecoveryHarness();
    baselineVms = new Set(h.fx.sim.inventory().vms.map((v) => v.id));
    vms.push(await replicatedVm(h, 'sa', 1), await replicatedVm(h, 'sb', 2), await replicatedVm(h, 'sc', 1));
  });
  after(async () => {
    await h.close();
  });

  /** An operator acts on CloudStack directly between two steps (console, API, another tool). */
  async function operatorAction(rng: Rng, vm: ReplicatedVm, failoverJobId: string): Promise<string> {
    const { client } = h.fx;
    const job = await h.repositories.failoverJobs.require(failoverJobId);
    const target = h.fx.sim.inventory().vms.find((v) => v.id === job.destination_vm_id);
    const action = pick(rng, OPERATOR_ACTIONS);
    const onTarget = h.fx.sim.inventory().volumes.filter((v) => vm.volumeIds.includes(v.id) && v.vmId === target?.id);
    if (action === 'stop target' && target?.state === 'Running') await client.stopVirtualMachine({ id: target.id });
    else if (action === 'start target' && target?.state === 'Stopped' && onTarget.length > 0)
      await client.startVirtualMachine(target.id).catch(() => undefined);
    else if (
      action === 'destroy target (no expunge)' &&
      target !== undefined &&
      ['Running', 'Stopped'].includes(target.state)
    )
      await client.destroyVirtualMachine({ id: target.id });
    else if (action === 'detach a volume' && onTarget[0] !== undefined)
      await client.detachVolume({ id: onTarget[0].id });
    else if (action === 'delete a snapshot') {
      const snapshot = h.fx.sim.inventory().snapshots.find((s) => s.name.endsWith(failoverJobId));
      if (snapshot === undefined) return `${action} (nothing to do)`;
      await client.deleteSnapshot(snapshot.id);
      return `${action} ${snapshot.volumeId}`;
    } else return `${action} (nothing to do)`;
    return action;
  }

  /** Starts the cleanup or rollback of a finished failover and interrupts it; returns what happened. */
  async function interruptedRecovery(rng: Rng, vm: ReplicatedVm, type: 'test' | 'live'): Promise<string> {
    const how = pick(rng, ['crash', 'fault'] as const);
    if (how === 'crash') {
      const step = pick(rng, RECOVERY_STEPS);
      const phase = pick(rng, CRASH_PHASES);
      const hook: CrashHook = (point) => point.step === step && point.phase === phase;
      await h.restart(hook);
      const started = await h.service.rollback(
        { vm: vm.contextId, failoverType: type, powerOnSource: rng() < 0.5 },
        OPERATOR,
      );
      await h.runner.whenIdle();
      await h.restart();
      // The restarted server takes the job over and resumes it (takeover policy resume).
      await h.runner.recover();
      assert.equal(await settle(h, started.job_id), 'completed', `resumed after a crash at ${step}:${phase}`);
      return `${type} recovery crashed at ${step}:${phase}, resumed`;
    }
    const command = pick(rng, RECOVERY_COMMANDS);
    h.fx.sim.controls.failNext(command, 1, { errorcode: 431, errortext: 'injected by the scenario test' });
    const started = await h.service.rollback({ vm: vm.contextId, failoverType: type }, OPERATOR);
    const status = await settle(h, started.job_id);
    h.fx.sim.controls.clear();
    return `${type} recovery with a fault on ${command}: ${status}`;
  }

  async function scenario(rng: Rng, index: number): Promise<string> {
    // Failover jobs are ordered by creation time: each scenario happens a minute after the last one.
    await h.clock.advance(60_000);
    const vm = pick(rng, vms);
    const lastSync = await Promise.all(vm.volumeIds.map((id) => volumeHash(h, id, WRITTEN_REGION)));
    const type = pick(rng, ['test', 'live'] as const);
    const where = pick(rng, ['failover', 'recovery'] as const);
    let story: string;
    let bytesRecoverable = true;
    if (where === 'failover') {
      const steps = 1 + Math.floor(rng() * FAILOVER_STEPS.length);
      const failover = await failoverHalfState(h, vm, type, steps);
      const interruption = pick(rng, ['crash', 'failed', 'operator'] as const);
      story = `${type} failover stopped after "${FAILOVER_STEPS[steps - 1]}" (${interruption})`;
      if (interruption === 'failed') {
        // The failover failed and its compensation failed too: the runner left it for the repair.
        await h.repositories.failoverJobs.update(failover.failoverJobId, { status: 'cleanup_required' });
        await h.repositories.contexts.transitionStatus(vm.contextId, 'cleanup_required');
      } else if (interruption === 'operator') {
        const action = await operatorAction(rng, vm, failover.failoverJobId);
        if (action.startsWith('delete a snapshot ') && steps >= 5) bytesRecoverable = false;
        story += `, then the operator: ${action}`;
      }
    } else {
      await failoverHalfState(h, vm, type, FAILOVER_STEPS.length);
      story = await interruptedRecovery(rng, vm, type);
    }
    const repair = await h.service.repair(vm.contextId, 'system');
    assert.equal(await settle(h, repair.job_id), 'completed', `#${index} ${story}: the repair completes`);
    await assertClean(h, vm, baselineVms);
    if (bytesRecoverable)
      assert.deepEqual(
        await Promise.all(vm.volumeIds.map((id) => volumeHash(h, id, WRITTEN_REGION))),
        lastSync,
        `#${index} ${story}: the volumes hold the last sync`,
      );
    const inventory = JSON.stringify(h.fx.sim.inventory());
    const second = await h.service.repair(vm.contextId, 'system');
    assert.deepEqual(second.failover_job_ids, [], 'nothing is left open');
    assert.equal(await settle(h, second.job_id), 'completed');
    assert.equal(
      JSON.stringify(h.fx.sim.inventory()),
      inventory,
      `#${index} ${story}: a second cleanup changes nothing`,
    );
    return story;
  }

  test(`${COUNT} seeded scenarios end clean and a second cleanup is a no-op`, async () => {
    console.log(
      `recovery scenarios: seed ${SEED}, count ${COUNT} (replay: MIGRATEKIT_SEED=${SEED} MIGRATEKIT_SCENARIOS=${COUNT})`,
    );
    const rng = random(SEED);
    for (let i = 1; i <= COUNT; i++) {
      try {
        await scenario(rng, i);
      } catch (error) {
        console.log(`recovery scenarios: scenario #${i} of seed ${SEED} failed`);
        throw error;
      }
    }
  });
});
