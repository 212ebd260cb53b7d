// The steps of every way back from a failover. Each one converges: it reads the real state first and acts only
// on what is still off, so running it again (after a crash, or as a second cleanup) changes nothing. Volumes
// move only through the volume service; the target VM is stopped and destroyed through the CloudStack client.
import type { FailoverJobRecord } from '@migratekit/db';
import { readFailoverInventory, readVm, revertTargets, type FailoverInventory } from './failover-inventory';
import { UNDONE_FAILOVER_STATUSES, moveContext, moveFailoverJob, undoneStatus } from './recovery-statuses';
import type { RecoveryDeps, RecoveryInput } from './recovery.types';

export interface InventorySummary {
  volumes: { volumeId: string; attachedTo: 'server' | 'target' | 'nothing' | 'missing'; vmId: string | null }[];
  snapshots: { snapshotId: string; volumeId: string; state: string }[];
  targetVms: { vmId: string; name: string; state: string }[];
}

async function jobsOf(deps: RecoveryDeps, input: RecoveryInput): Promise<FailoverJobRecord[]> {
  const jobs: FailoverJobRecord[] = [];
  for (const id of input.failoverJobIds) {
    const job = await deps.repositories.failoverJobs.get(id);
    if (job !== undefined) jobs.push(job);
  }
  return jobs;
}

export async function inventoryOf(
  deps: RecoveryDeps,
  input: RecoveryInput,
  signal: AbortSignal,
): Promise<FailoverInventory> {
  return readFailoverInventory(deps, input.contextId, await jobsOf(deps, input), signal);
}

export function summarize(inventory: FailoverInventory): InventorySummary {
  return {
    volumes: inventory.volumes.map((v) => ({
      volumeId: v.volumeId,
      attachedTo: !v.exists
        ? 'missing'
        : v.attachedVmId === null
          ? 'nothing'
          : v.attachedVmId === inventory.serverVmId
            ? 'server'
            : 'target',
      vmId: v.attachedVmId,
    })),
    snapshots: inventory.snapshots.map((s) => ({ snapshotId: s.snapshotId, volumeId: s.volumeId, state: s.state })),
    targetVms: inventory.targetVms.map((vm) => ({ vmId: vm.vmId, name: vm.name, state: vm.state })),
  };
}

/** First step: the failover jobs being undone move to rolling_back (they keep holding the VM), then a look. */
export async function beginRecovery(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  for (const job of await jobsOf(deps, input))
    if (!UNDONE_FAILOVER_STATUSES.includes(job.status)) await moveFailoverJob(deps.repositories, job, 'rolling_back');
  return summarize(await inventoryOf(deps, input, signal));
}

const STOPPED = new Set(['Stopped', 'Destroyed', 'Shutdown', 'Error']);

export function runningTargets(inventory: FailoverInventory): string[] {
  return inventory.targetVms.filter((vm) => !STOPPED.has(vm.state)).map((vm) => vm.vmId);
}

export async function stopTargets(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  const { client } = await deps.cloud();
  const stopped: string[] = [];
  for (const vmId of runningTargets(await inventoryOf(deps, input, signal))) {
    const vm = await readVm(deps, client, vmId, signal);
    if (vm === undefined || STOPPED.has(vm.state)) continue;
    await client.stopVirtualMachine({ id: vmId, forced: true }, { signal });
    stopped.push(vmId);
  }
  return { stopped };
}

/** Volumes to take off their VM: those on a target, and those on the server that will be reverted. */
export function volumesToDetach(inventory: FailoverInventory): string[] {
  const reverting = revertTargets(inventory);
  return inventory.volumes
    .filter(
      (v) =>
        v.exists && v.attachedVmId !== null && (v.attachedVmId !== inventory.serverVmId || reverting.has(v.volumeId)),
    )
    .map((v) => v.volumeId);
}

export async function detachVolumes(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  const detached: string[] = [];
  for (const volumeId of volumesToDetach(await inventoryOf(deps, input, signal))) {
    signal.throwIfAborted();
    await deps.volumes.detach(volumeId);
    detached.push(volumeId);
  }
  return { detached };
}

/** Reverting is idempotent (the same snapshot gives the same bytes), so this step simply runs again. */
export async function revertVolumes(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  const inventory = await inventoryOf(deps, input, signal);
  const reverted: { volumeId: string; snapshotId: string }[] = [];
  const skipped: string[] = [];
  for (const [volumeId, snapshot] of revertTargets(inventory)) {
    signal.throwIfAborted();
    const placement = inventory.volumes.find((v) => v.volumeId === volumeId);
    if (placement?.attachedVmId !== null) {
      // Still attached (the detach step saw otherwise): CloudStack would refuse; say so rather than guess.
      skipped.push(volumeId);
      continue;
    }
    await deps.volumes.revertSnapshot(snapshot.snapshotId);
    reverted.push({ volumeId, snapshotId: snapshot.snapshotId });
  }
  const unreverted = inventory.volumes.filter((v) => v.exists && !reverted.some((r) => r.volumeId === v.volumeId));
  if (unreverted.length > 0 && inventory.snapshots.length === 0 && inventory.targetVms.length > 0)
    deps.logger.warn(
      { contextId: input.contextId, volumes: unreverted.map((v) => v.volumeId) },
      'no failover snapshot to revert to: what the target VM wrote stays on these volumes',
    );
  if (skipped.length > 0) throw new Error(`volumes still attached, not reverted: ${skipped.join(', ')}`);
  return { reverted };
}

export async function deleteSnapshots(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  const deleted: string[] = [];
  for (const snapshot of (await inventoryOf(deps, input, signal)).snapshots) {
    signal.throwIfAborted();
    await deps.volumes.deleteSnapshot(snapshot.snapshotId);
    deleted.push(snapshot.snapshotId);
  }
  return { deleted };
}

/** attachToServer is idempotent and re-registers the NBD export, so every volume goes through it. */
export async function reattachVolumes(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  const attached: { volumeId: string; exportName: string }[] = [];
  for (const volume of (await inventoryOf(deps, input, signal)).volumes) {
    signal.throwIfAborted();
    if (!volume.exists) continue;
    const attachment = await deps.volumes.attachToServer(volume.volumeId);
    attached.push({ volumeId: volume.volumeId, exportName: attachment.exportName });
  }
  return { attached };
}

export async function destroyTargets(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  const inventory = await inventoryOf(deps, input, signal);
  if (input.keepTarget) return { destroyed: [], kept: inventory.targetVms.map((vm) => vm.vmId) };
  const { client } = await deps.cloud();
  const destroyed: string[] = [];
  for (const target of inventory.targetVms) {
    const vm = await readVm(deps, client, target.vmId, signal);
    if (vm === undefined) continue;
    await client.destroyVirtualMachine({ id: vm.id, expunge: true }, { signal });
    destroyed.push(vm.id);
  }
  return { destroyed, kept: [] as string[] };
}

export async function powerOnSource(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  if (!input.powerOnSource) return { powerState: null as string | null, skipped: 'not asked' };
  const { powerState } = await deps.sourcePower.powerOn(input.contextId, signal);
  return { powerState: powerState as string | null, skipped: null as string | null };
}

export async function finishStatuses(deps: RecoveryDeps, input: RecoveryInput) {
  const now = deps.clock.now();
  const jobs: { jobId: string; status: string }[] = [];
  for (const job of await jobsOf(deps, input)) {
    const moved = await moveFailoverJob(deps.repositories, job, undoneStatus(job), { completed_at: now });
    jobs.push({ jobId: moved.job_id, status: moved.status });
  }
  const contextStatus = await moveContext(deps.repositories, input.contextId, 'ready_for_failover');
  return { jobs, contextStatus };
}

/** A recovery step failed: the failover jobs and the context say that an operator (or a repair) must act. */
export async function markCleanupRequired(deps: RecoveryDeps, input: RecoveryInput, reason: string): Promise<void> {
  for (const job of await jobsOf(deps, input))
    if (!UNDONE_FAILOVER_STATUSES.includes(job.status))
      await moveFailoverJob(deps.repositories, job, 'cleanup_required', { error_message: reason });
  await moveContext(deps.repositories, input.contextId, 'cleanup_required');
}
