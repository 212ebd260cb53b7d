// Crash and fault rig for failover: runners built over the dev stack's database and services with a crash hook
// (the runner halts as a killed process would), recovery by a new runner with the same server id, the check that
// the CloudStack simulator holds nothing a failover did not record, and the reset between scenarios.
import assert from 'node:assert/strict';
import type { WorkflowStatus } from '@migratekit/core';
import {
  FailoverService,
  asRegistered,
  failoverWorkflows,
  failoverSnapshotName,
  type FailoverWorkflows,
} from '../../src/failover';
import type { FailoverStatusView } from '../../src/failover/failover-views';
import { vcenterParams } from '../../src/replication/vcenter-params';
import { createWorkflowRunner, type CrashHook, type WorkflowRunner } from '../../src/workflows';
import { failoverDepsOf, powerStateOf, type FailoverStack } from './failover-fixture';

export interface CrashRig {
  flows: FailoverWorkflows;
  runner(serverId: string, crashHook?: CrashHook): WorkflowRunner;
  service(runner: WorkflowRunner): FailoverService;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function crashRig(env: FailoverStack): CrashRig {
  const deps = { ...failoverDepsOf(env.stack), logger: quiet };
  const flows = failoverWorkflows(deps);
  const { adapters } = env.stack.server.composition;
  return {
    flows,
    runner: (serverId, crashHook) =>
      createWorkflowRunner({
        repositories: adapters.repositories,
        joblog: adapters.joblog,
        clock: adapters.clock,
        logger: quiet,
        serverId,
        workflows: asRegistered(flows),
        lease: { leaseMs: 60_000, heartbeatMs: 20_000 },
        ...(crashHook === undefined ? {} : { crashHook }),
      }),
    service: (runner) => new FailoverService({ ...deps, runner, workflows: flows, events: adapters.events }),
  };
}

const SETTLED_WORKFLOW = ['completed', 'compensated', 'failed', 'cleanup_required', 'paused'];

/** The failover's status once its workflow settled; the failover_jobs row is synced by the read. */
export async function settledStatus(service: FailoverService, jobId: string): Promise<FailoverStatusView> {
  for (let i = 0; i < 600; i++) {
    const view = await service.status(jobId);
    if (SETTLED_WORKFLOW.includes(view.workflow_status ?? '')) return service.status(jobId);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`failover ${jobId} did not settle`);
}

const SETTLED_REPAIR: WorkflowStatus[] = ['completed', 'failed', 'compensated', 'cleanup_required'];

/**
 * A failover whose compensation failed (cleanup_required) is repaired by the recovery service on its own (the
 * failed-execution cleanup, docs/failover-recovery.md). Waits for that repair of this failover job to start and
 * end; returns its workflow status.
 */
export async function autoRepairOf(env: FailoverStack, failoverJobId: string): Promise<string> {
  const { repositories } = env.stack.server.composition.adapters;
  for (let i = 0; i < 1200; i++) {
    const repair = (await repositories.workflowJobs.listJobs(['pending', 'running', ...SETTLED_REPAIR])).find(
      (j) =>
        j.workflow_name === 'failover-repair' &&
        ((j.workflow_input as { failoverJobIds?: string[] } | null)?.failoverJobIds ?? []).includes(failoverJobId),
    );
    if (repair !== undefined && SETTLED_REPAIR.includes(repair.status)) return repair.status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no repair of failover ${failoverJobId} ended`);
}

/**
 * Nothing orphaned: every VM, volume and snapshot the simulator holds is the server's, a context's volume, or
 * recorded by a failover that still holds it (completed, or awaiting cleanup with it recorded). A compensated or
 * failed failover holds nothing and left every volume on the server.
 */
export function assertNothingOrphaned(
  env: { estate: Pick<FailoverStack['estate'], 'cloudstack'> },
  views: readonly FailoverStatusView[],
): void {
  const inventory = env.estate.cloudstack.inventory();
  const serverVmId = inventory.serverVmId;
  const holding = views.filter((v) => v.status === 'completed' || v.status === 'cleanup_required');
  const recordedVms = new Set(holding.flatMap((v) => (v.destination_vm_id === null ? [] : [v.destination_vm_id])));
  for (const vm of inventory.vms.filter((v) => !v.isServer))
    assert.ok(recordedVms.has(vm.id), `VM ${vm.name} (${vm.id}) is recorded by a failover that holds it`);
  const liveVms = new Set(inventory.vms.map((v) => v.id));
  for (const volume of inventory.volumes) {
    if (volume.vmId !== undefined) assert.ok(liveVms.has(volume.vmId), `volume ${volume.id} is on a VM that exists`);
    if (volume.type === 'ROOT') assert.ok(volume.vmId !== undefined, `ROOT volume ${volume.id} is attached`);
    else assert.ok(volume.vmId !== undefined, `data volume ${volume.name} is attached (server or target)`);
  }
  const heldSnapshots = new Set(holding.map((v) => failoverSnapshotName(v.job_id)));
  for (const snapshot of inventory.snapshots)
    assert.ok(heldSnapshots.has(snapshot.name), `snapshot ${snapshot.name} belongs to a failover that holds it`);
  for (const view of views.filter((v) => v.status === 'failed')) {
    assert.ok(!inventory.vms.some((vm) => vm.name === view.target_vm_name), `failed ${view.job_id} left no VM`);
  }
  for (const volume of inventory.volumes.filter(
    (v) => v.type !== 'ROOT' && !holding.some((h) => h.destination_vm_id === v.vmId),
  ))
    assert.equal(volume.vmId, serverVmId, `volume ${volume.name} is back on the server`);
}

/** Undoes a completed test/live failover by hand (cleanup is another workflow): the VM gone, volumes back. */
export async function resetFailover(env: FailoverStack, view: FailoverStatusView): Promise<void> {
  const { services, composition } = env.stack.server;
  const { repositories, hub } = composition.adapters;
  const { client } = await services.cloudStack.active();
  if (view.destination_vm_id !== null) {
    const [vm] = await client.listVirtualMachines({ id: view.destination_vm_id });
    if (vm !== undefined && vm.state === 'Running') await client.stopVirtualMachine({ id: vm.id, forced: true });
    for (const row of await repositories.cloudstackVolumes.listByContext(view.context_id))
      await services.volumes.attachToServer(row.volume_id);
    if (vm !== undefined) await client.destroyVirtualMachine({ id: vm.id, expunge: true });
  }
  for (const snapshot of await client.listSnapshots({ name: failoverSnapshotName(view.job_id) }))
    await services.volumes.deleteSnapshot(snapshot.id);
  const context = await repositories.contexts.require(view.context_id);
  if (context.current_status !== 'ready_for_failover')
    await repositories.contexts.transitionStatus(view.context_id, 'ready_for_failover');
  await repositories.failoverJobs.update(view.job_id, { status: 'cleaned_up' });
  if (view.failover_type === 'live') {
    const credential = await services.vmwareCredentials.resolveForUse(context.credential_id ?? undefined);
    await hub.request(
      hub.pick(),
      'vm.power',
      { vcenter: vcenterParams(credential), vm_id: context.vmware_vm_id, action: 'on' },
      { timeoutMs: 60_000 },
    );
  }
}

/** Waits until the runner's crash point fired and the work it left in flight settled, as after a SIGKILL. */
export async function untilCrashed(runner: WorkflowRunner): Promise<void> {
  await runner.whenIdle();
  assert.ok(runner.isHalted, 'the crash point was reached');
  await runner.halt();
}

export interface CrashScenario {
  label: string;
  /** Where the first runner dies. */
  crash: CrashHook;
  /** Where the recovering runner dies in turn (a crash inside the compensation); a third runner finishes. */
  secondCrash?: CrashHook;
  options?: Record<string, unknown>;
}

export interface ScenarioOutcome {
  label: string;
  view: FailoverStatusView;
  /** The workflow status right after the takeover, before any operator decision. */
  afterTakeover: string;
}

let serverCounter = 0;

/** Runs one scenario on one VM: start, crash, recover (again if asked), compensate a paused job as the operator. */
export async function runCrashScenario(
  rig: CrashRig,
  vm: string,
  type: 'test' | 'live',
  scenario: CrashScenario,
): Promise<ScenarioOutcome> {
  const serverId = `crash-server-${++serverCounter}`;
  const first = rig.runner(serverId, scenario.crash);
  const starter = rig.service(first);
  const started = await starter.start({ vm, type, options: { shutdown_timeout_ms: 2_000, ...scenario.options } });
  await untilCrashed(first);
  starter.close();
  let recovering = rig.runner(serverId, scenario.secondCrash);
  assert.ok((await recovering.recover()).includes(started.workflow_job_id), `${scenario.label}: the job is taken over`);
  await recovering.whenIdle();
  if (scenario.secondCrash !== undefined && recovering.isHalted) {
    await recovering.halt();
    recovering = rig.runner(serverId);
    assert.ok((await recovering.recover()).includes(started.workflow_job_id), `${scenario.label}: taken over again`);
    await recovering.whenIdle();
  }
  const service = rig.service(recovering);
  let view = await settledStatus(service, started.job_id);
  const afterTakeover = view.workflow_status ?? 'unknown';
  if (view.workflow_status === 'paused') {
    assert.ok((view.pause_reason ?? '').length > 0, `${scenario.label}: a paused failover says why`);
    await service.decide(started.job_id, 'compensate');
    await recovering.whenIdle();
    view = await settledStatus(service, started.job_id);
  }
  await recovering.close();
  service.close();
  return { label: scenario.label, view, afterTakeover };
}

/** Runs scenarios `vms.length` at a time (one per VM), checks the inventory after each batch and resets. */
export async function runCrashMatrix(
  env: FailoverStack,
  rig: CrashRig,
  vms: readonly string[],
  type: 'test' | 'live',
  scenarios: readonly CrashScenario[],
): Promise<ScenarioOutcome[]> {
  const outcomes: ScenarioOutcome[] = [];
  for (let i = 0; i < scenarios.length; i += vms.length) {
    const batch = scenarios.slice(i, i + vms.length);
    const results = await Promise.all(batch.map((s, n) => runCrashScenario(rig, vms[n] as string, type, s)));
    for (const result of results) {
      assert.ok(
        ['completed', 'failed'].includes(result.view.status),
        `${result.label}: failover ${result.view.status} (${result.view.workflow_status ?? ''}: ${result.view.error_message ?? ''})`,
      );
    }
    assertNothingOrphaned(
      env,
      results.map((r) => r.view),
    );
    for (const result of results) if (result.view.status === 'completed') await resetFailover(env, result.view);
    // A live failover compensated (or reset) leaves its source powered on again.
    if (type === 'live')
      for (const vm of vms.slice(0, batch.length))
        assert.equal(powerStateOf(env.estate, vm), 'poweredOn', `${vm} is on`);
    outcomes.push(...results);
  }
  return outcomes;
}
