// Test cleanup, live rollback and the failed-execution cleanup on the CloudStack simulator: a test failover whose
// guest wrote to its disks is cleaned up to volumes byte-identical to the last sync, back on the server with
// their exports; a live rollback powers the source on (when asked) and can keep the target stopped; the
// rollback decision says what will happen; a repair of a clean VM changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defineWorkflow } from '../../src/workflows';
import {
  OPERATOR,
  assertClean,
  failoverHalfState,
  type ReplicatedVm,
  replicatedVm,
  settle,
  startRecoveryHarness,
  volumeHash,
  WRITTEN_REGION,
  type RecoveryHarness,
} from './recovery-fixture';

describe('failover recovery workflows', { timeout: 120_000 }, () => {
  let h: RecoveryHarness;
  let baselineVms: Set<string>;
  /**
   * A failover whose compensation fails: its first step moves the volumes to a started target VM, its second
   * fails, and undoing the first fails too, so the runner leaves it cleanup_required.
   */
  const brokenFailover = defineWorkflow<{ vm: ReplicatedVm }>('broken-failover', {
    jobType: 'failover',
    takeover: 'compensate',
  })
    .step('move to target', {
      run: async ({ input }) => failoverHalfState(h, input.vm, 'test', 5),
      inspect: () => Promise.resolve({ happened: false }),
      compensate: () => Promise.reject(new Error('the target VM refused to stop')),
    })
    .step('start', {
      run: () => Promise.reject(new Error('the target VM did not boot')),
      inspect: () => Promise.resolve({ happened: false }),
    })
    .build();

  before(async () => {
    h = await startRecoveryHarness([brokenFailover]);
    baselineVms = new Set(h.fx.sim.inventory().vms.map((v) => v.id));
  });
  after(async () => {
    await h.close();
  });

  test('test cleanup restores every volume byte for byte and removes the test VM', async () => {
    const vm = await replicatedVm(h, 'web');
    const lastSync = await Promise.all(vm.volumeIds.map((id) => volumeHash(h, id)));
    const before = await Promise.all(vm.volumeIds.map((id) => volumeHash(h, id, WRITTEN_REGION)));
    const failover = await failoverHalfState(h, vm, 'test', 6);
    const written = await Promise.all(vm.volumeIds.map((id) => volumeHash(h, id, WRITTEN_REGION)));
    assert.notDeepEqual(written, before, 'the test VM changed the disks');

    const started = await h.service.cleanupTest(vm.vmName, OPERATOR);
    assert.equal(started.workflow, 'test-cleanup');
    assert.deepEqual(started.failover_job_ids, [failover.failoverJobId]);
    assert.equal(await settle(h, started.job_id), 'completed');

    assert.deepEqual(await Promise.all(vm.volumeIds.map((id) => volumeHash(h, id))), lastSync);
    await assertClean(h, vm, baselineVms);
    assert.equal((await h.repositories.failoverJobs.require(failover.failoverJobId)).status, 'cleaned_up');
    const steps = await h.repositories.workflowSteps.listSteps(started.job_id);
    assert.deepEqual(
      steps.map((s) => `${s.step_key}:${s.status}`),
      [
        'inspect state:completed',
        'stop target VM:completed',
        'detach volumes:completed',
        'revert volumes:completed',
        'delete snapshots:completed',
        'reattach volumes:completed',
        'destroy target VM:completed',
        'power on source:completed',
        'update statuses:completed',
      ],
    );
    const audit = await h.repositories.audit.list({ action: 'failover.test-cleanup' });
    assert.equal(audit.items[0]?.actor, 'alice', 'the audit event names who decided');
  });

  test('the decision says what a live rollback does and loses; rollback powers the source on', async () => {
    const vm = await replicatedVm(h, 'db', 1);
    const lastSync = await volumeHash(h, vm.volumeIds[0] ?? '', WRITTEN_REGION);
    await failoverHalfState(h, vm, 'live', 6);
    const decision = await h.service.decision('live', vm.contextId);
    assert.equal(decision.possible, true);
    assert.equal(decision.options.power_on_source.available, true);
    assert.equal(decision.state?.targetVms[0]?.name, vm.vmName);
    assert.ok(decision.loses.some((line) => line.includes('since the cutover')));
    assert.ok(decision.will.some((line) => line.startsWith('revert 1 volume')));

    const started = await h.service.rollback({ vm: vm.vmName, failoverType: 'live', powerOnSource: true }, OPERATOR);
    assert.equal(await settle(h, started.job_id), 'completed');
    assert.equal(await volumeHash(h, vm.volumeIds[0] ?? '', WRITTEN_REGION), lastSync);
    await assertClean(h, vm, baselineVms);
    assert.deepEqual(h.powered, [vm.contextId], 'the source was powered on');
    const after = await h.service.decision('live', vm.contextId);
    assert.equal(after.possible, false);
    assert.match(after.reason ?? '', /already rolled_back/);
  });

  test('keep target: the target VM stays, stopped, without the volumes', async () => {
    const vm = await replicatedVm(h, 'app', 1);
    const failover = await failoverHalfState(h, vm, 'live', 6);
    const started = await h.service.rollback({ vm: vm.contextId, failoverType: 'live', keepTarget: true }, OPERATOR);
    assert.equal(await settle(h, started.job_id), 'completed');
    const job = await h.repositories.failoverJobs.require(failover.failoverJobId);
    const target = h.fx.sim.inventory().vms.find((v) => v.id === job.destination_vm_id);
    assert.equal(target?.state, 'Stopped', 'the target VM is kept, stopped');
    assert.equal(h.powered.includes(vm.contextId), false, 'the source stays off when not asked');
    await assertClean(h, vm, new Set([...baselineVms, target.id]));
    await h.fx.client.destroyVirtualMachine({ id: target.id, expunge: true });
  });

  test('a repair of a clean VM changes nothing; a second cleanup is refused', async () => {
    const vm = await replicatedVm(h, 'idle', 1);
    await failoverHalfState(h, vm, 'test', 6);
    const cleanup = await h.service.cleanupTest(vm.contextId, OPERATOR);
    assert.equal(await settle(h, cleanup.job_id), 'completed');
    const before = JSON.stringify(h.fx.sim.inventory());
    const repair = await h.service.repair(vm.contextId, OPERATOR);
    assert.deepEqual(repair.failover_job_ids, []);
    assert.equal(await settle(h, repair.job_id), 'completed');
    assert.equal(JSON.stringify(h.fx.sim.inventory()), before, 'the simulator holds exactly what it held');
    await assertClean(h, vm, baselineVms);
    await assert.rejects(h.service.cleanupTest(vm.contextId, OPERATOR), { code: 'MKE_ILLEGAL_TRANSITION' });
  });

  test('a failover left cleanup_required by a failed compensation is repaired automatically', async () => {
    const vm = await replicatedVm(h, 'broken', 1);
    const lastSync = await volumeHash(h, vm.volumeIds[0] ?? '', WRITTEN_REGION);
    const { jobId } = await h.runner.start(brokenFailover, { vm }, { contextId: vm.contextId });
    assert.equal(await settle(h, jobId), 'cleanup_required');
    // The recovery service saw the job.updated event and started the failed-execution cleanup by itself.
    let repair: string | undefined;
    for (let i = 0; i < 200 && repair === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const jobs = await h.repositories.workflowJobs.listJobs(['pending', 'running', 'completed', 'failed']);
      repair = jobs.find((j) => j.workflow_name === 'failover-repair' && j.vm_context_id === vm.contextId)?.id;
    }
    assert.ok(repair, 'a repair was started');
    assert.equal(await settle(h, repair), 'completed');
    await assertClean(h, vm, baselineVms);
    assert.equal(await volumeHash(h, vm.volumeIds[0] ?? '', WRITTEN_REGION), lastSync);
    const audit = await h.repositories.audit.list({ action: 'failover.failover-repair', vmContextId: vm.contextId });
    assert.equal(audit.items[0]?.actor, 'system');
  });
});
