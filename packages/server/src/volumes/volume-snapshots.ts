// Volume snapshots: taken before a failover changes anything, reverted by cleanup/rollback, then deleted.
// cloudstack_volumes keeps the latest snapshot id and state of each volume.
import type { Snapshot } from '@migratekit/cloudstack';
import { MigrateKitError, errorMessage } from '@migratekit/core';
import type { CloudstackVolumeRecord } from '@migratekit/db';
import type { VolumeSnapshotInfo } from './volume.types';
import type { VolumeRuntime } from './volume-runtime';

function info(snapshot: Snapshot): VolumeSnapshotInfo {
  return { snapshotId: snapshot.id, volumeId: snapshot.volumeid, state: snapshot.state };
}

function snapshotSummary(snapshot: Snapshot): Record<string, unknown> {
  return { id: snapshot.id, volumeid: snapshot.volumeid, state: snapshot.state, name: snapshot.name ?? null };
}

export class VolumeSnapshots {
  constructor(private readonly rt: VolumeRuntime) {}

  /** `name` lets a later inspect find the snapshot even if its id was never recorded (a crash in between). */
  async create(row: CloudstackVolumeRecord, name?: string): Promise<VolumeSnapshotInfo> {
    const { rt } = this;
    const request = name === undefined ? { volumeid: row.volume_id } : { volumeid: row.volume_id, name };
    let submittedId: string | undefined;
    let recording: Promise<unknown> | undefined;
    return rt.ops.run(
      {
        type: 'snapshot',
        contextId: row.vm_context_id,
        volumeId: row.volume_id,
        vmId: row.attached_vm_id,
        request,
      },
      async () => {
        let snapshot: Snapshot;
        try {
          snapshot = await rt.cloud.createSnapshot(request, {
            onSubmitted: (submit) => {
              submittedId = submit.id;
              if (submit.id !== undefined)
                recording = rt.repos.cloudstackVolumes.update(row.volume_id, {
                  snapshot_id: submit.id,
                  snapshot_status: 'Creating',
                });
            },
          });
        } catch (error) {
          // The create failed; a failure to record its id as well is logged, the create's error is thrown.
          await recording?.catch((recordError: unknown) =>
            rt.deps.logger.warn(
              { volumeId: row.volume_id, snapshotId: submittedId, err: errorMessage(recordError) },
              'could not record the submitted snapshot',
            ),
          );
          if (submittedId !== undefined) await this.forgetIfGone(row.volume_id, submittedId);
          throw error;
        }
        await recording;
        await rt.repos.cloudstackVolumes.update(row.volume_id, {
          snapshot_id: snapshot.id,
          snapshot_status: snapshot.state,
        });
        return { result: info(snapshot), response: snapshotSummary(snapshot) };
      },
    );
  }

  /** Looks the snapshot up first: its volume is the lock key. */
  async find(snapshotId: string): Promise<Snapshot | undefined> {
    return this.rt.reads.snapshot(snapshotId);
  }

  async revertLocked(snapshot: Snapshot): Promise<VolumeSnapshotInfo> {
    const { rt } = this;
    const row = await rt.repos.cloudstackVolumes.getByVolumeId(snapshot.volumeid);
    return rt.ops.run(
      {
        type: 'revert',
        contextId: row?.vm_context_id ?? null,
        volumeId: snapshot.volumeid,
        vmId: row?.attached_vm_id ?? null,
        request: { id: snapshot.id, volumeid: snapshot.volumeid },
      },
      async () => {
        const reverted = await rt.cloud.revertSnapshot(snapshot.id);
        return { result: info(reverted), response: snapshotSummary(reverted) };
      },
    );
  }

  /** Deletes one snapshot (a missing one counts as deleted). Callers hold the volume's lock. */
  async deleteLocked(snapshotId: string, volumeId: string | null, contextId: string | null): Promise<void> {
    const { rt } = this;
    await rt.ops.run(
      { type: 'delete', contextId, volumeId, request: { snapshotid: snapshotId, volumeid: volumeId } },
      async () => {
        const existing = await rt.reads.snapshot(snapshotId);
        if (existing !== undefined) {
          try {
            await rt.cloud.deleteSnapshot(snapshotId);
          } catch (error) {
            // A lost reply: the delete may have happened. Unknown state counts as "still there".
            const now = await rt.reads.snapshot(snapshotId).catch((readError: unknown) => {
              rt.deps.logger.warn({ snapshotId, err: errorMessage(readError) }, 'could not check a failed delete');
              return existing;
            });
            if (now !== undefined) throw error;
          }
        }
        if (volumeId !== null) await this.clearIfCurrent(volumeId, snapshotId);
        return { result: undefined, response: { snapshotid: snapshotId, already_deleted: existing === undefined } };
      },
    );
  }

  requireFound(snapshotId: string, snapshot: Snapshot | undefined): Snapshot {
    if (snapshot === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Snapshot ${snapshotId} does not exist in CloudStack` });
    return snapshot;
  }

  private async clearIfCurrent(volumeId: string, snapshotId: string): Promise<void> {
    const row = await this.rt.repos.cloudstackVolumes.getByVolumeId(volumeId);
    if (row?.snapshot_id === snapshotId)
      await this.rt.repos.cloudstackVolumes.update(volumeId, { snapshot_id: null, snapshot_status: null });
  }

  private async forgetIfGone(volumeId: string, snapshotId: string): Promise<void> {
    try {
      if ((await this.rt.reads.snapshot(snapshotId)) === undefined) await this.clearIfCurrent(volumeId, snapshotId);
    } catch (error) {
      this.rt.deps.logger.warn({ volumeId, snapshotId, err: errorMessage(error) }, 'could not check a failed snapshot');
    }
  }
}
