// The volume daemon: the ONLY code that creates, attaches, detaches, deletes, snapshots and reverts CloudStack volumes
// (docs/model.md#components). Every call is recorded in volume_operations, serialized per volume, and idempotent:
// asking for a state that already holds succeeds. Replication calls ensureVolume + attachToServer; failover calls
// createSnapshot, attachToVm, revertSnapshot, attachToServer and deleteSnapshot.
import { toMigrateKitError, type Snapshot, type Volume } from '@migratekit/cloudstack';
import type { CloudstackVolumeRecord } from '@migratekit/db';
import { VolumeAttachment } from './volume-attachment';
import type { EnsureVolumeInput, ServerAttachment, VolumeDaemonDeps, VolumeSnapshotInfo } from './volume-daemon.types';
import { VolumeLifecycle } from './volume-lifecycle';
import { VolumeReconciler, type ReconcileReport } from './volume-reconciler';
import { createVolumeRuntime, requireVolumeRow, type VolumeRuntime } from './volume-runtime';
import { VolumeSnapshots } from './volume-snapshots';

export class VolumeDaemon {
  private readonly rt: VolumeRuntime;
  private readonly attachment: VolumeAttachment;
  private readonly snapshots: VolumeSnapshots;
  private readonly lifecycle: VolumeLifecycle;
  private readonly reconciler: VolumeReconciler;

  constructor(deps: VolumeDaemonDeps) {
    this.rt = createVolumeRuntime(deps);
    this.attachment = new VolumeAttachment(this.rt);
    this.snapshots = new VolumeSnapshots(this.rt);
    this.lifecycle = new VolumeLifecycle(this.rt, this.attachment, this.snapshots);
    this.reconciler = new VolumeReconciler(this.rt, this.attachment);
  }

  get serverVmId(): string {
    return this.rt.serverVmId;
  }

  /** The context's volume for `diskId`, created in CloudStack (detached) when it has none yet. */
  ensureVolume(input: EnsureVolumeInput): Promise<CloudstackVolumeRecord> {
    return this.locked(`create:${input.contextId}:${input.diskId}`, () => this.lifecycle.ensure(input));
  }

  /** Attaches to the server VM (mode `oma`), waits for its by-id device and exports it as `vol-<uuid>`. */
  attachToServer(volumeId: string): Promise<ServerAttachment> {
    return this.locked(volumeId, async () => this.attachment.toServer(await requireVolumeRow(this.rt, volumeId)));
  }

  /** Removes the NBD export and device mapping, then detaches from the server VM (no-op elsewhere). */
  detachFromServer(volumeId: string): Promise<Volume> {
    return this.locked(volumeId, async () => this.attachment.detach(await requireVolumeRow(this.rt, volumeId), true));
  }

  /** Attaches to a VM that is not the server (mode `failover`), moving it off its current VM first. */
  attachToVm(volumeId: string, vmId: string, deviceId?: number): Promise<Volume | ServerAttachment> {
    if (vmId === this.rt.serverVmId) return this.attachToServer(volumeId);
    return this.locked(volumeId, async () =>
      this.attachment.toVm(await requireVolumeRow(this.rt, volumeId), vmId, deviceId),
    );
  }

  /** Detaches from whichever VM holds the volume. */
  detach(volumeId: string): Promise<Volume> {
    return this.locked(volumeId, async () => this.attachment.detach(await requireVolumeRow(this.rt, volumeId), false));
  }

  /** Detaches, deletes the volume's snapshots and the volume; a volume already gone counts as deleted. */
  deleteVolume(volumeId: string): Promise<void> {
    return this.locked(volumeId, () => this.lifecycle.delete(volumeId));
  }

  createSnapshot(volumeId: string): Promise<VolumeSnapshotInfo> {
    return this.locked(volumeId, async () => this.snapshots.create(await requireVolumeRow(this.rt, volumeId)));
  }

  /** CloudStack requires the volume detached or its VM stopped. */
  async revertSnapshot(snapshotId: string): Promise<VolumeSnapshotInfo> {
    const snapshot = this.snapshots.requireFound(snapshotId, await this.findSnapshot(snapshotId));
    return this.locked(snapshot.volumeid, () => this.snapshots.revertLocked(snapshot));
  }

  /** A snapshot already gone counts as deleted. */
  async deleteSnapshot(snapshotId: string): Promise<void> {
    const snapshot = await this.findSnapshot(snapshotId);
    if (snapshot === undefined)
      return this.locked(`snapshot:${snapshotId}`, () => this.snapshots.deleteLocked(snapshotId, null, null));
    const row = await this.rt.repos.cloudstackVolumes.getByVolumeId(snapshot.volumeid);
    return this.locked(snapshot.volumeid, () =>
      this.snapshots.deleteLocked(snapshotId, snapshot.volumeid, row?.vm_context_id ?? null),
    );
  }

  /** Detaches and deletes every volume (and snapshot) of a context. Returns how many volumes it handled. */
  deleteContextVolumes(contextId: string): Promise<number> {
    return this.lifecycle.deleteContext(contextId, (volumeId) => this.deleteVolume(volumeId));
  }

  private findSnapshot(snapshotId: string): Promise<Snapshot | undefined> {
    return this.snapshots.find(snapshotId).catch((error: unknown) => {
      throw toMigrateKitError(error);
    });
  }

  /** Resolves operations a previous process left unfinished and restores exports of server-attached volumes. */
  reconcileAtStartup(): Promise<ReconcileReport> {
    return this.reconciler.run();
  }

  /** Serialized per volume; any CloudStack client error leaves as a catalogue error (MKE_UPSTREAM_*). */
  private locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.rt.locks.run(key, work).catch((error: unknown) => {
      throw toMigrateKitError(error);
    });
  }
}
