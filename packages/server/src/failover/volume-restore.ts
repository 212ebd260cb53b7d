// Puts a failover's volumes back as they were when the failover began (docs/failover-recovery.md): take off its VM
// every volume that will be reverted, revert each to its newest failover snapshot, delete the failover snapshots,
// then every volume back on the server (mode `oma`, device found by serial, NBD export reopened). The recovery
// workflows run the four parts as separate steps; a failover's compensation runs them in a row. Each part reads the
// real state first, so running it again converges: after a crash between revert and delete the snapshot is still
// there and the volume is reverted to it again (the same bytes), then it is deleted.
import type { FailoverJobRecord } from '@migratekit/db';
import { readFailoverInventory, revertTargets, type FailoverInventory } from './recovery/failover-inventory';
import type { RecoveryDeps } from './recovery/recovery.types';

export type RestoreDeps = Pick<
  RecoveryDeps,
  'repositories' | 'volumes' | 'cloud' | 'logger' | 'pause' | 'settleTimeoutMs'
>;

/** Whose volumes, and which failover jobs' snapshots and target VMs count. */
export interface RestoreScope {
  contextId: string;
  failoverJobIds: readonly string[];
}

export async function failoverJobsOf(deps: RestoreDeps, scope: RestoreScope): Promise<FailoverJobRecord[]> {
  const jobs: FailoverJobRecord[] = [];
  for (const id of scope.failoverJobIds) {
    const job = await deps.repositories.failoverJobs.get(id);
    if (job !== undefined) jobs.push(job);
  }
  return jobs;
}

export async function inventoryOf(
  deps: RestoreDeps,
  scope: RestoreScope,
  signal: AbortSignal,
): Promise<FailoverInventory> {
  return readFailoverInventory(deps, scope.contextId, await failoverJobsOf(deps, scope), signal);
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

export async function detachVolumes(deps: RestoreDeps, scope: RestoreScope, signal: AbortSignal) {
  const detached: string[] = [];
  for (const volumeId of volumesToDetach(await inventoryOf(deps, scope, signal))) {
    signal.throwIfAborted();
    await deps.volumes.detach(volumeId);
    detached.push(volumeId);
  }
  return { detached };
}

/** Reverting is idempotent (the same snapshot gives the same bytes), so this part simply runs again. */
export async function revertVolumes(deps: RestoreDeps, scope: RestoreScope, signal: AbortSignal) {
  const inventory = await inventoryOf(deps, scope, signal);
  const reverted: { volumeId: string; snapshotId: string }[] = [];
  const skipped: string[] = [];
  for (const [volumeId, snapshot] of revertTargets(inventory)) {
    signal.throwIfAborted();
    const placement = inventory.volumes.find((v) => v.volumeId === volumeId);
    if (placement?.attachedVmId !== null) {
      // Still attached (the detach part saw otherwise): CloudStack would refuse; say so rather than guess.
      skipped.push(volumeId);
      continue;
    }
    await deps.volumes.revertSnapshot(snapshot.snapshotId);
    reverted.push({ volumeId, snapshotId: snapshot.snapshotId });
  }
  const unreverted = inventory.volumes.filter((v) => v.exists && !reverted.some((r) => r.volumeId === v.volumeId));
  if (unreverted.length > 0 && inventory.snapshots.length === 0 && inventory.targetVms.length > 0)
    deps.logger.warn(
      { contextId: scope.contextId, volumes: unreverted.map((v) => v.volumeId) },
      'no failover snapshot to revert to: what the target VM wrote stays on these volumes',
    );
  if (skipped.length > 0) throw new Error(`volumes still attached, not reverted: ${skipped.join(', ')}`);
  return { reverted };
}

export async function deleteSnapshots(deps: RestoreDeps, scope: RestoreScope, signal: AbortSignal) {
  const deleted: string[] = [];
  for (const snapshot of (await inventoryOf(deps, scope, signal)).snapshots) {
    signal.throwIfAborted();
    await deps.volumes.deleteSnapshot(snapshot.snapshotId);
    deleted.push(snapshot.snapshotId);
  }
  return { deleted };
}

/** attachToServer is idempotent and re-registers the NBD export, so every volume goes through it. */
export async function reattachVolumes(deps: RestoreDeps, scope: RestoreScope, signal: AbortSignal) {
  const attached: { volumeId: string; exportName: string }[] = [];
  for (const volume of (await inventoryOf(deps, scope, signal)).volumes) {
    signal.throwIfAborted();
    if (!volume.exists) continue;
    const attachment = await deps.volumes.attachToServer(volume.volumeId);
    attached.push({ volumeId: volume.volumeId, exportName: attachment.exportName });
  }
  return { attached };
}

/** All four parts in order, for a compensation: the volumes end on the server with their pre-failover bytes. */
export async function restoreVolumes(deps: RestoreDeps, scope: RestoreScope, signal: AbortSignal) {
  // One look first: a part with nothing to do is not run (each part that runs still reads the state again).
  const first = await inventoryOf(deps, scope, signal);
  const none = { detached: [] as string[], reverted: [] as { volumeId: string; snapshotId: string }[] };
  const { detached } = volumesToDetach(first).length > 0 ? await detachVolumes(deps, scope, signal) : none;
  const { reverted } = revertTargets(first).size > 0 ? await revertVolumes(deps, scope, signal) : none;
  const { deleted } = first.snapshots.length > 0 ? await deleteSnapshots(deps, scope, signal) : { deleted: [] };
  const { attached } = await reattachVolumes(deps, scope, signal);
  return { detached, reverted, deleted, attached };
}
