// Start-up reconciliation. Operations a previous process left pending/executing are decided by what CloudStack
// shows now (never by guessing), cloudstack_volumes is brought in line, and every volume attached to the server
// VM gets its device mapping and NBD export back.
import type { Volume } from '@migratekit/cloudstack';
import { errorMessage } from '@migratekit/core';
import type { VolumeOperationRecord } from '@migratekit/db';
import type { VolumeAttachment } from './volume-attachment';
import { volumeSummary, type VolumeRuntime } from './volume-runtime';

const BUSY_STATES = new Set(['Creating', 'Attaching', 'Snapshotting', 'RevertSnapshotting', 'Resizing', 'Migrating']);
const SETTLE_POLL_MS = 1_000;

export interface ReconcileReport {
  completed: string[];
  failed: string[];
  /** Operations left unfinished because CloudStack could not be asked. */
  undecided: string[];
  exportsRestored: string[];
  exportsFailed: string[];
}

type Decision = { status: 'completed' | 'failed'; reason?: string; response: Record<string, unknown> };

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export class VolumeReconciler {
  constructor(
    private readonly rt: VolumeRuntime,
    private readonly attachment: VolumeAttachment,
  ) {}

  async run(): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      completed: [],
      failed: [],
      undecided: [],
      exportsRestored: [],
      exportsFailed: [],
    };
    for (const op of await this.rt.repos.volumeOperations.listUnfinished()) {
      try {
        const decision = await this.lockFor(op, () => this.decide(op));
        if (decision.status === 'completed') {
          await this.rt.repos.volumeOperations.complete(op.id, { ...decision.response, reconciled: true });
          report.completed.push(op.id);
        } else {
          const reason = `interrupted by a restart: ${decision.reason ?? 'not done'}`;
          await this.rt.repos.volumeOperations.fail(op.id, reason, { ...decision.response, reconciled: true });
          report.failed.push(op.id);
        }
      } catch (error) {
        this.rt.deps.logger.warn({ operationId: op.id, err: errorMessage(error) }, 'could not reconcile operation');
        report.undecided.push(op.id);
      }
    }
    await this.restoreExports(report);
    return report;
  }

  private lockFor<T>(op: VolumeOperationRecord, work: () => Promise<T>): Promise<T> {
    return op.volume_id === null ? work() : this.rt.locks.run(op.volume_id, work);
  }

  /** The volume once it has left a transitional state (a job may still be running after our restart). */
  private async settled(volumeId: string): Promise<Volume | undefined> {
    const deadline = this.rt.deps.clock.now().getTime() + this.rt.deps.deviceWaitTimeoutMs;
    for (;;) {
      const volume = await this.rt.reads.volume(volumeId);
      if (volume === undefined || !BUSY_STATES.has(volume.state)) return volume;
      if (this.rt.deps.clock.now().getTime() >= deadline) return volume;
      await this.rt.deps.clock.sleep(SETTLE_POLL_MS);
    }
  }

  private async decide(op: VolumeOperationRecord): Promise<Decision> {
    const request = op.request ?? {};
    if (op.type === 'create') return this.decideCreate(op);
    if (op.type === 'revert')
      return { status: 'failed', reason: 'the outcome of a revert cannot be known; revert again', response: {} };
    const snapshotId = str(request.snapshotid);
    if (op.type === 'delete' && snapshotId !== undefined) {
      const snapshot = await this.rt.reads.snapshot(snapshotId);
      return snapshot === undefined
        ? { status: 'completed', response: { snapshotid: snapshotId, deleted: true } }
        : { status: 'failed', reason: `snapshot ${snapshotId} still exists`, response: { state: snapshot.state } };
    }
    if (op.volume_id === null) return { status: 'failed', reason: 'no volume recorded', response: {} };
    const volume = await this.settled(op.volume_id);
    await this.syncRow(op.volume_id, volume);
    const seen = volume === undefined ? { exists: false } : volumeSummary(volume);
    switch (op.type) {
      case 'attach':
        return volume?.virtualmachineid !== undefined && volume.virtualmachineid === op.vm_id
          ? { status: 'completed', response: seen }
          : { status: 'failed', reason: `volume is not attached to ${op.vm_id ?? 'the VM'}`, response: seen };
      case 'detach':
        return volume === undefined || volume.virtualmachineid === undefined
          ? { status: 'completed', response: seen }
          : { status: 'failed', reason: `volume is still attached to ${volume.virtualmachineid}`, response: seen };
      case 'delete':
        if (volume === undefined) {
          await this.attachment.unexpose(op.volume_id);
          await this.rt.repos.cloudstackVolumes.delete(op.volume_id);
          return { status: 'completed', response: { deleted: true } };
        }
        return { status: 'failed', reason: 'volume still exists', response: seen };
      case 'snapshot':
        return this.decideSnapshot(op.volume_id);
    }
  }

  private async decideCreate(op: VolumeOperationRecord): Promise<Decision> {
    const request = op.request ?? {};
    let volumeId = op.volume_id ?? undefined;
    if (volumeId === undefined) {
      // Crashed between CloudStack's reply and recording the id: find it by the name we asked for.
      const name = str(request.name);
      const candidates = name === undefined ? [] : await this.rt.reads.volumesNamed(name);
      for (const candidate of candidates) {
        if ((await this.rt.repos.cloudstackVolumes.getByVolumeId(candidate.id)) === undefined) {
          volumeId = candidate.id;
          await this.rt.repos.volumeOperations.setVolumeId(op.id, volumeId);
          break;
        }
      }
      if (volumeId === undefined)
        return { status: 'failed', reason: 'CloudStack never created the volume', response: {} };
    }
    const volume = await this.settled(volumeId);
    if (volume === undefined) {
      await this.attachment.unexpose(volumeId);
      await this.rt.repos.cloudstackVolumes.delete(volumeId);
      return { status: 'failed', reason: 'the volume does not exist in CloudStack', response: { id: volumeId } };
    }
    const contextId = str(request.context_id) ?? op.vm_context_id;
    if ((await this.rt.repos.cloudstackVolumes.getByVolumeId(volumeId)) === undefined && contextId !== null) {
      await this.rt.repos.cloudstackVolumes.create({
        vm_context_id: contextId,
        volume_id: volumeId,
        name: volume.name,
        disk_id: str(request.disk_id) ?? null,
        size_bytes: volume.size,
        device_id: volume.deviceid ?? null,
        attached_vm_id: volume.virtualmachineid ?? null,
        mode: 'oma',
        snapshot_id: null,
        snapshot_status: null,
      });
    }
    return { status: 'completed', response: volumeSummary(volume) };
  }

  private async decideSnapshot(volumeId: string): Promise<Decision> {
    const row = await this.rt.repos.cloudstackVolumes.getByVolumeId(volumeId);
    const snapshotId = row?.snapshot_id ?? undefined;
    if (snapshotId === undefined) return { status: 'failed', reason: 'no snapshot id was recorded', response: {} };
    const snapshot = await this.rt.reads.snapshot(snapshotId);
    if (snapshot === undefined) {
      await this.rt.repos.cloudstackVolumes.update(volumeId, { snapshot_id: null, snapshot_status: null });
      return { status: 'failed', reason: `snapshot ${snapshotId} does not exist`, response: {} };
    }
    await this.rt.repos.cloudstackVolumes.update(volumeId, { snapshot_status: snapshot.state });
    const usable = snapshot.state === 'BackedUp';
    return usable
      ? { status: 'completed', response: { id: snapshot.id, state: snapshot.state } }
      : {
          status: 'failed',
          reason: `snapshot is ${snapshot.state}`,
          response: { id: snapshot.id, state: snapshot.state },
        };
  }

  private async syncRow(volumeId: string, volume: Volume | undefined): Promise<void> {
    const row = await this.rt.repos.cloudstackVolumes.getByVolumeId(volumeId);
    if (row === undefined || volume === undefined) return;
    const mode = volume.virtualmachineid === this.rt.serverVmId ? 'oma' : row.mode;
    await this.attachment.recordAttachment(row, volume, mode);
  }

  /** Exports for every managed volume CloudStack shows on the server VM; stale export rows removed. */
  private async restoreExports(report: ReconcileReport): Promise<void> {
    const { rt } = this;
    let onServer: Volume[];
    try {
      onServer = await rt.reads.retrying(() =>
        rt.cloud.listVolumes({ virtualmachineid: rt.serverVmId, listall: true }),
      );
    } catch (error) {
      rt.deps.logger.error({ err: errorMessage(error) }, 'cannot list the server VM volumes; exports not restored');
      return;
    }
    const onServerIds = new Set(onServer.map((v) => v.id));
    for (const volume of onServer) {
      const row = await rt.repos.cloudstackVolumes.getByVolumeId(volume.id);
      if (row === undefined) continue;
      try {
        await rt.locks.run(volume.id, async () => {
          await this.attachment.recordAttachment(row, volume, 'oma');
          await this.attachment.exposeOnServer(row);
        });
        report.exportsRestored.push(volume.id);
      } catch (error) {
        rt.deps.logger.error({ volumeId: volume.id, err: errorMessage(error) }, 'could not restore the NBD export');
        report.exportsFailed.push(volume.id);
      }
    }
    for (const row of await rt.repos.cloudstackVolumes.listAttachedTo(rt.serverVmId)) {
      if (onServerIds.has(row.volume_id)) continue;
      const volume = await rt.reads.volume(row.volume_id).catch((error: unknown) => {
        rt.deps.logger.warn(
          { volumeId: row.volume_id, err: errorMessage(error) },
          'could not read a volume attached to the server; its attachment is left as recorded',
        );
        return undefined;
      });
      if (volume !== undefined) await this.attachment.recordAttachment(row, volume, row.mode);
    }
    for (const exported of await rt.repos.nbdExports.list()) {
      if (!onServerIds.has(exported.volume_id))
        await rt.locks.run(exported.volume_id, () => this.attachment.unexpose(exported.volume_id));
    }
  }
}
