// Reads where a context's failover artifacts really are (docs/failover-recovery.md): each volume's attachment
// in CloudStack, the failover snapshots of those volumes (found by name, so an unrecorded one is found too),
// and the target VMs (recorded id, planned name, or simply a VM that holds one of the volumes). Read-only;
// waits for objects a crashed server left in a transitional state so every judgement is on settled state.
import type { Snapshot, VirtualMachine, Volume } from '@migratekit/cloudstack';
import { MigrateKitError } from '@migratekit/core';
import type { FailoverJobRecord } from '@migratekit/db';
import { failoverSnapshotName } from '../failover.types';
import type { RecoveryCloud, RecoveryDeps } from './recovery.types';

/** Every failover snapshot is named `migratekit-failover-<failover job id>` (the failover artifact contract). */
export const FAILOVER_SNAPSHOT_PREFIX = failoverSnapshotName('');

const VOLUME_BUSY = new Set(['Attaching', 'Detaching', 'Snapshotting', 'RevertSnapshotting', 'Creating', 'Resizing']);
const SNAPSHOT_BUSY = new Set(['Allocated', 'Creating', 'CreatedOnPrimary', 'BackingUp', 'Destroying']);
const VM_BUSY = new Set(['Starting', 'Stopping', 'Migrating', 'Expunging']);
const POLL_MS = 20;

/** What reading the inventory needs: the recovery workflows and the failover compensations both have it. */
export type InventoryDeps = Pick<RecoveryDeps, 'repositories' | 'cloud' | 'pause' | 'settleTimeoutMs'>;

export interface VolumePlacement {
  volumeId: string;
  /** False when CloudStack no longer has the volume (nothing recovery can do but say so). */
  exists: boolean;
  attachedVmId: string | null;
}

export interface FailoverSnapshot {
  snapshotId: string;
  volumeId: string;
  name: string;
  state: string;
  created: string;
}

export interface TargetVm {
  vmId: string;
  name: string;
  state: string;
}

export interface FailoverInventory {
  serverVmId: string;
  volumes: VolumePlacement[];
  snapshots: FailoverSnapshot[];
  targetVms: TargetVm[];
}

/** Reads one object until CloudStack has finished changing it (or it is gone); bounded. */
async function settled<T extends { state: string }>(
  deps: InventoryDeps,
  busy: ReadonlySet<string>,
  read: () => Promise<T | undefined>,
  signal: AbortSignal,
  what: string,
): Promise<T | undefined> {
  const deadline = (deps.settleTimeoutMs ?? 60_000) / POLL_MS;
  for (let attempt = 0; ; attempt++) {
    const item = await read();
    if (item === undefined || !busy.has(item.state)) return item;
    if (attempt >= deadline)
      throw new MigrateKitError('MKE_UPSTREAM_TIMEOUT', {
        message: `${what} stayed ${item.state} in CloudStack; try again once its job has ended`,
      });
    await deps.pause(POLL_MS, signal);
  }
}

export function readVolume(deps: InventoryDeps, client: RecoveryCloud, volumeId: string, signal: AbortSignal) {
  return settled(
    deps,
    VOLUME_BUSY,
    async () => (await client.listVolumes({ id: volumeId, listall: true }, signal)).find((v) => v.id === volumeId),
    signal,
    `Volume ${volumeId}`,
  );
}

export function readVm(deps: InventoryDeps, client: RecoveryCloud, vmId: string, signal: AbortSignal) {
  return settled(
    deps,
    VM_BUSY,
    async () => (await client.listVirtualMachines({ id: vmId, listall: true }, signal)).find((v) => v.id === vmId),
    signal,
    `VM ${vmId}`,
  );
}

async function failoverSnapshotsOf(
  deps: InventoryDeps,
  client: RecoveryCloud,
  volume: Volume,
  recorded: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<FailoverSnapshot[]> {
  const listed = await client.listSnapshots({ volumeid: volume.id, listall: true }, signal);
  const ours = listed.filter((s) => (s.name ?? '').startsWith(FAILOVER_SNAPSHOT_PREFIX) || recorded.has(s.id));
  const found: FailoverSnapshot[] = [];
  for (const snapshot of ours) {
    if (!SNAPSHOT_BUSY.has(snapshot.state)) {
      found.push(toFailoverSnapshot(snapshot));
      continue;
    }
    const now = await settled(
      deps,
      SNAPSHOT_BUSY,
      async () =>
        (await client.listSnapshots({ id: snapshot.id, listall: true }, signal)).find((s) => s.id === snapshot.id),
      signal,
      `Snapshot ${snapshot.id}`,
    );
    if (now !== undefined) found.push(toFailoverSnapshot(now));
  }
  return found;
}

function toFailoverSnapshot(snapshot: Snapshot): FailoverSnapshot {
  return {
    snapshotId: snapshot.id,
    volumeId: snapshot.volumeid,
    name: snapshot.name ?? '',
    state: snapshot.state,
    created: snapshot.created ?? '',
  };
}

/** The VMs a failover job made or planned: by recorded id, else by the planned name (contract item 2). */
async function targetVmsOfJob(
  deps: InventoryDeps,
  client: RecoveryCloud,
  job: FailoverJobRecord,
  signal: AbortSignal,
): Promise<VirtualMachine[]> {
  const found: VirtualMachine[] = [];
  if (job.destination_vm_id !== null) {
    const vm = await readVm(deps, client, job.destination_vm_id, signal);
    if (vm !== undefined) found.push(vm);
  }
  const plannedName = job.options?.targetVmName;
  if (typeof plannedName === 'string' && plannedName.length > 0) {
    const named = await client.listVirtualMachines({ name: plannedName, listall: true }, signal);
    for (const vm of named.filter((v) => v.name === plannedName && !found.some((f) => f.id === v.id))) {
      const settledVm = VM_BUSY.has(vm.state) ? await readVm(deps, client, vm.id, signal) : vm;
      if (settledVm !== undefined) found.push(settledVm);
    }
  }
  return found;
}

/**
 * The real state of a context's failover artifacts. `jobs` are the failover jobs being undone: their target
 * VMs count as targets even when they hold no volume any more. Any VM other than the server that holds one of
 * the context's volumes counts as a target as well (a crash may have lost its id).
 */
export async function readFailoverInventory(
  deps: InventoryDeps,
  contextId: string,
  jobs: readonly FailoverJobRecord[],
  signal: AbortSignal,
): Promise<FailoverInventory> {
  const { client, serverVmId } = await deps.cloud();
  const rows = await deps.repositories.cloudstackVolumes.listByContext(contextId);
  const recorded = new Set(jobs.flatMap((j) => Object.values(j.volume_snapshots ?? {})));
  const volumes: VolumePlacement[] = [];
  const snapshots: FailoverSnapshot[] = [];
  const targets = new Map<string, TargetVm>();
  for (const row of rows) {
    const volume = await readVolume(deps, client, row.volume_id, signal);
    volumes.push({
      volumeId: row.volume_id,
      exists: volume !== undefined,
      attachedVmId: volume?.virtualmachineid ?? null,
    });
    if (volume === undefined) continue;
    snapshots.push(...(await failoverSnapshotsOf(deps, client, volume, recorded, signal)));
    const holder = volume.virtualmachineid;
    if (holder !== undefined && holder !== serverVmId && !targets.has(holder)) {
      const vm = await readVm(deps, client, holder, signal);
      if (vm !== undefined) targets.set(vm.id, { vmId: vm.id, name: vm.name, state: vm.state });
    }
  }
  for (const job of jobs)
    for (const vm of await targetVmsOfJob(deps, client, job, signal))
      if (vm.id !== serverVmId) targets.set(vm.id, { vmId: vm.id, name: vm.name, state: vm.state });
  return { serverVmId, volumes, snapshots, targetVms: [...targets.values()] };
}

/** Per volume, the snapshot to revert to: the newest BackedUp failover snapshot. */
export function revertTargets(inventory: FailoverInventory): Map<string, FailoverSnapshot> {
  const chosen = new Map<string, FailoverSnapshot>();
  for (const snapshot of inventory.snapshots) {
    if (snapshot.state !== 'BackedUp') continue;
    const current = chosen.get(snapshot.volumeId);
    if (current === undefined || snapshot.created > current.created) chosen.set(snapshot.volumeId, snapshot);
  }
  return chosen;
}
