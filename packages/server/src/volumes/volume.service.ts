// The volume daemon: the ONLY code that creates, attaches, detaches, deletes, snapshots and reverts CloudStack volumes
// (docs/model.md#components). Every call is recorded in volume_operations, serialized per volume, and idempotent:
// asking for a state that already holds succeeds. Replication calls ensureVolume + attachToServer; failover calls
// createSnapshot, attachToVm, revertSnapshot, attachToServer and deleteSnapshot.
import { toMigrateKitError, type Snapshot, type Volume } from '@migratekit/cloudstack';
import { MigrateKitError } from '@migratekit/core';
import type { CloudstackVolumeRecord } from '@migratekit/db';
import { KeyedMutex } from './keyed-mutex';
import { VolumeAttachment } from './volume-attachment';
import type {
  EnsureVolumeInput,
  ServerAttachment,
  VolumeServiceDeps,
  VolumeSnapshotInfo,
  VolumeTarget,
} from './volume.types';
import { VolumeLifecycle } from './volume-lifecycle';
import { VolumeReconciler, type ReconcileReport } from './volume-reconciler';
import { createVolumeRuntime, requireVolumeRow, type VolumeRuntime } from './volume-runtime';
import { VolumeSnapshots } from './volume-snapshots';

interface VolumeParts {
  rt: VolumeRuntime;
  attachment: VolumeAttachment;
  snapshots: VolumeSnapshots;
  lifecycle: VolumeLifecycle;
  reconciler: VolumeReconciler;
}

export class VolumeService {
  /** Per volume, across configuration changes: two operations on one volume never overlap. */
  private readonly locks = new KeyedMutex();
  private current: { target: VolumeTarget; parts: VolumeParts } | undefined;

  constructor(private readonly deps: VolumeServiceDeps) {}

  /** The server VM volumes attach to for replication; MKE_NOT_CONFIGURED without an active configuration. */
  async serverVmId(): Promise<string> {
    return (await this.parts()).rt.serverVmId;
  }

  /** The context's volume for `diskId`, created in CloudStack (detached) when it has none yet. */
  ensureVolume(input: EnsureVolumeInput): Promise<CloudstackVolumeRecord> {
    return this.locked(`create:${input.contextId}:${input.diskId}`, (p) => p.lifecycle.ensure(input));
  }

  /** Attaches to the server VM (mode `oma`), waits for its by-id device and exports it as `vol-<uuid>`. */
  attachToServer(volumeId: string): Promise<ServerAttachment> {
    return this.locked(volumeId, async (p) => p.attachment.toServer(await requireVolumeRow(p.rt, volumeId)));
  }

  /** Removes the NBD export and device mapping, then detaches from the server VM (no-op elsewhere). */
  detachFromServer(volumeId: string): Promise<Volume> {
    return this.locked(volumeId, async (p) => p.attachment.detach(await requireVolumeRow(p.rt, volumeId), true));
  }

  /** Attaches to a VM that is not the server (mode `failover`), moving it off its current VM first. */
  async attachToVm(volumeId: string, vmId: string, deviceId?: number): Promise<Volume | ServerAttachment> {
    if (vmId === (await this.serverVmId())) return this.attachToServer(volumeId);
    return this.locked(volumeId, async (p) =>
      p.attachment.toVm(await requireVolumeRow(p.rt, volumeId), vmId, deviceId),
    );
  }

  /** Detaches from whichever VM holds the volume. */
  detach(volumeId: string): Promise<Volume> {
    return this.locked(volumeId, async (p) => p.attachment.detach(await requireVolumeRow(p.rt, volumeId), false));
  }

  /** Detaches, deletes the volume's snapshots and the volume; a volume already gone counts as deleted. */
  deleteVolume(volumeId: string): Promise<void> {
    return this.locked(volumeId, (p) => p.lifecycle.delete(volumeId));
  }

  /** `options.name` names the snapshot in CloudStack (failover: `migratekit-failover-<job>`, found by name later). */
  createSnapshot(volumeId: string, options: { name?: string } = {}): Promise<VolumeSnapshotInfo> {
    return this.locked(volumeId, async (p) => p.snapshots.create(await requireVolumeRow(p.rt, volumeId), options.name));
  }

  /**
   * Detaches and deletes the ROOT disk a freshly deployed (stopped) VM got from its template, so a migrated root
   * volume can take device 0. Refuses the server VM and volumes MigrateKit manages. Returns the deleted id.
   */
  async discardTemplateRootDisk(vmId: string): Promise<string | null> {
    if (vmId === (await this.serverVmId()))
      throw new MigrateKitError('MKE_VALIDATION', { message: 'The server VM keeps its root disk', field: 'vm_id' });
    const parts = await this.parts();
    const roots = await parts.rt.reads.retrying(() =>
      parts.rt.cloud.listVolumes({ virtualmachineid: vmId, type: 'ROOT' }),
    );
    const root = roots.find((v) => v.virtualmachineid === vmId && v.type === 'ROOT');
    if (root === undefined) return null;
    if ((await this.deps.repositories.cloudstackVolumes.getByVolumeId(root.id)) !== undefined)
      throw new MigrateKitError('MKE_CONFLICT', {
        message: `The root disk ${root.id} of VM ${vmId} is a MigrateKit volume; not discarding it`,
      });
    return this.locked(root.id, (p) => p.lifecycle.discardUnmanaged(root, vmId));
  }

  /**
   * Deletes a template root disk that a discard detached but could not delete (a failure in between); CloudStack
   * shows a detached root as DATADISK, so callers pass the id they recorded before the discard. Only a detached
   * volume MigrateKit does not manage; one already gone counts as deleted.
   */
  async deleteDetachedTemplateRoot(volumeId: string): Promise<void> {
    if ((await this.deps.repositories.cloudstackVolumes.getByVolumeId(volumeId)) !== undefined)
      throw new MigrateKitError('MKE_CONFLICT', {
        message: `Volume ${volumeId} is a MigrateKit volume; not deleting it`,
      });
    const parts = await this.parts();
    const volume = await parts.rt.reads.volume(volumeId);
    if (volume === undefined) return;
    if (volume.virtualmachineid !== undefined)
      throw new MigrateKitError('MKE_CONFLICT', { message: `Volume ${volumeId} is attached; not deleting it` });
    await this.locked(volumeId, (p) => p.lifecycle.discardUnmanaged(volume, null));
  }

  /** CloudStack requires the volume detached or its VM stopped. */
  async revertSnapshot(snapshotId: string): Promise<VolumeSnapshotInfo> {
    const parts = await this.parts();
    const snapshot = parts.snapshots.requireFound(snapshotId, await this.findSnapshot(parts, snapshotId));
    return this.locked(snapshot.volumeid, (p) => p.snapshots.revertLocked(snapshot));
  }

  /** A snapshot already gone counts as deleted. */
  async deleteSnapshot(snapshotId: string): Promise<void> {
    const parts = await this.parts();
    const snapshot = await this.findSnapshot(parts, snapshotId);
    if (snapshot === undefined)
      return this.locked(`snapshot:${snapshotId}`, (p) => p.snapshots.deleteLocked(snapshotId, null, null));
    const row = await this.deps.repositories.cloudstackVolumes.getByVolumeId(snapshot.volumeid);
    return this.locked(snapshot.volumeid, (p) =>
      p.snapshots.deleteLocked(snapshotId, snapshot.volumeid, row?.vm_context_id ?? null),
    );
  }

  /** Detaches and deletes every volume (and snapshot) of a context. Returns how many volumes it handled. */
  async deleteContextVolumes(contextId: string): Promise<number> {
    const parts = await this.parts();
    return parts.lifecycle.deleteContext(contextId, (volumeId) => this.deleteVolume(volumeId));
  }

  private findSnapshot(parts: VolumeParts, snapshotId: string): Promise<Snapshot | undefined> {
    return parts.snapshots.find(snapshotId).catch((error: unknown) => {
      throw toMigrateKitError(error);
    });
  }

  /** Resolves operations a previous process left unfinished and restores exports of server-attached volumes. */
  async reconcileAtStartup(): Promise<ReconcileReport> {
    return (await this.parts()).reconciler.run();
  }

  /** The parts for the current target, rebuilt when the active configuration (client or server VM) changed. */
  private async parts(): Promise<VolumeParts> {
    const target = await this.deps.target();
    const current = this.current;
    if (current?.target.cloudstack === target.cloudstack && current.target.serverVmId === target.serverVmId)
      return current.parts;
    const rt = createVolumeRuntime(this.deps, target, this.locks);
    const attachment = new VolumeAttachment(rt);
    const snapshots = new VolumeSnapshots(rt);
    const parts: VolumeParts = {
      rt,
      attachment,
      snapshots,
      lifecycle: new VolumeLifecycle(rt, attachment, snapshots),
      reconciler: new VolumeReconciler(rt, attachment),
    };
    this.current = { target, parts };
    return parts;
  }

  /** Serialized per volume; any CloudStack client error leaves as a catalogue error (MKE_UPSTREAM_*). */
  private async locked<T>(key: string, work: (parts: VolumeParts) => Promise<T>): Promise<T> {
    const parts = await this.parts();
    return this.locks
      .run(key, () => work(parts))
      .catch((error: unknown) => {
        throw toMigrateKitError(error);
      });
  }
}
