// Creating and deleting volumes. The database learns a new volume's id the moment CloudStack accepts the
// create (before the job finishes), so CloudStack never holds a volume of ours that the database does not know.
import type { Volume } from '@migratekit/cloudstack';
import { MigrateKitError, errorMessage, isMigrateKitError, type ErrorCode } from '@migratekit/core';
import type { CloudstackVolumeRecord } from '@migratekit/db';
import type { VolumeAttachment } from './volume-attachment';
import type { EnsureVolumeInput } from './volume.types';
import { volumeSummary, type VolumeRuntime } from './volume-runtime';
import type { VolumeSnapshots } from './volume-snapshots';

const GIB = 1024 ** 3;

interface Placement {
  zoneid: string;
  diskofferingid: string;
  /** GiB, only for a custom-size offering. */
  size?: number;
}

export class VolumeLifecycle {
  private customOfferingId: string | undefined;

  constructor(
    private readonly rt: VolumeRuntime,
    private readonly attachment: VolumeAttachment,
    private readonly snapshots: VolumeSnapshots,
  ) {}

  /** The context's volume for this disk; created in CloudStack when there is none yet (or it vanished). */
  async ensure(input: EnsureVolumeInput): Promise<CloudstackVolumeRecord> {
    const { rt } = this;
    const existing = (await rt.repos.cloudstackVolumes.listByContext(input.contextId)).find(
      (row) => row.disk_id === input.diskId,
    );
    if (existing !== undefined) {
      if ((await rt.reads.volume(existing.volume_id)) !== undefined) return existing;
      rt.deps.logger.warn(
        { volumeId: existing.volume_id, contextId: input.contextId, diskId: input.diskId },
        'recorded volume no longer exists in CloudStack; creating a new one',
      );
      await this.attachment.unexpose(existing.volume_id);
      await rt.repos.cloudstackVolumes.delete(existing.volume_id);
    }
    const placement = await this.placement(input);
    const request = { name: input.name, ...placement };
    let recording: Promise<void> | undefined;
    let recordedId: string | undefined;
    const record = (volumeId: string, setVolumeId: (id: string) => Promise<void>): Promise<void> => {
      recordedId = volumeId;
      return (async () => {
        await setVolumeId(volumeId);
        await rt.repos.cloudstackVolumes.create({
          vm_context_id: input.contextId,
          volume_id: volumeId,
          name: input.name,
          disk_id: input.diskId,
          size_bytes: input.sizeBytes,
          device_id: null,
          attached_vm_id: null,
          mode: 'oma',
          snapshot_id: null,
          snapshot_status: null,
        });
      })();
    };
    return rt.ops.run(
      {
        type: 'create',
        contextId: input.contextId,
        request: { ...request, context_id: input.contextId, disk_id: input.diskId, size_bytes: input.sizeBytes },
      },
      async (op) => {
        let volume: Volume;
        try {
          volume = await rt.cloud.createVolume(request, {
            onSubmitted: (submit) => {
              if (submit.id !== undefined) recording = record(submit.id, op.setVolumeId);
            },
          });
        } catch (error) {
          // The create failed; a failure to record its id as well is logged, the create's error is thrown.
          await recording?.catch((recordError: unknown) =>
            rt.deps.logger.warn({ err: errorMessage(recordError) }, 'could not record the submitted volume'),
          );
          if (recordedId !== undefined) await this.forgetIfGone(recordedId);
          throw error;
        }
        if (recording === undefined) recording = record(volume.id, op.setVolumeId);
        await recording;
        const row = await rt.repos.cloudstackVolumes.update(volume.id, { size_bytes: volume.size || input.sizeBytes });
        if (row === undefined) throw new Error(`volume ${volume.id} row vanished after create`);
        return { result: row, response: volumeSummary(volume) };
      },
    );
  }

  /** Detaches (removing the export if on the server), deletes the volume's snapshots, then the volume. */
  async delete(volumeId: string): Promise<void> {
    const { rt } = this;
    const row = await rt.repos.cloudstackVolumes.getByVolumeId(volumeId);
    const actual = await rt.reads.volume(volumeId);
    if (actual !== undefined && row !== undefined) {
      if (actual.virtualmachineid !== undefined) await this.attachment.detachFrom(row, actual);
      for (const snapshot of await rt.reads.snapshotsOf(volumeId))
        await this.snapshots.deleteLocked(snapshot.id, volumeId, row.vm_context_id);
    }
    await rt.ops.run(
      { type: 'delete', contextId: row?.vm_context_id ?? null, volumeId, request: { id: volumeId } },
      async () => {
        if (actual === undefined) {
          await this.forgetRow(volumeId);
          return { result: undefined, response: { already_deleted: true } };
        }
        // Never delete a CloudStack volume MigrateKit did not create (or adopt at reconciliation).
        if (row === undefined)
          throw new MigrateKitError('MKE_NOT_FOUND', {
            message: `Volume ${volumeId} is not managed by MigrateKit; not deleting it`,
          });
        try {
          await rt.cloud.deleteVolume(volumeId);
        } catch (error) {
          // A lost reply: the delete may have happened. Only the current state decides.
          const now = await rt.reads.volume(volumeId).catch((readError: unknown) => {
            rt.deps.logger.warn({ volumeId, err: errorMessage(readError) }, 'could not check a failed delete');
            return actual;
          });
          if (now !== undefined) throw error;
        }
        await this.forgetRow(volumeId);
        return { result: undefined, response: { deleted: true } };
      },
    );
  }

  /** Detaches a VM's template root disk (not ours) and deletes it, each call recorded as a volume operation. */
  async discardUnmanaged(root: Volume, vmId: string | null): Promise<string> {
    const { rt } = this;
    await rt.ops.run(
      { type: 'detach', volumeId: root.id, vmId, request: { id: root.id, template_root: true } },
      async () => {
        const now = await rt.reads.volume(root.id);
        if (now?.virtualmachineid !== undefined) await rt.cloud.detachVolume({ id: root.id });
        return { result: undefined, response: { detached: now?.virtualmachineid !== undefined } };
      },
    );
    await rt.ops.run(
      { type: 'delete', volumeId: root.id, vmId, request: { id: root.id, template_root: true } },
      async () => {
        if ((await rt.reads.volume(root.id)) !== undefined) await rt.cloud.deleteVolume(root.id);
        return { result: undefined, response: { deleted: true } };
      },
    );
    return root.id;
  }

  /** Deletes every volume of a context; tries them all and reports the ones that failed. */
  async deleteContext(contextId: string, deleteOne: (volumeId: string) => Promise<void>): Promise<number> {
    const rows = await this.rt.repos.cloudstackVolumes.listByContext(contextId);
    const failures: { volume_id: string; error: string; code: string }[] = [];
    for (const row of rows) {
      try {
        await deleteOne(row.volume_id);
      } catch (error) {
        const code = isMigrateKitError(error) ? error.code : 'MKE_INTERNAL';
        failures.push({ volume_id: row.volume_id, error: errorMessage(error), code });
      }
    }
    if (failures.length > 0) {
      const first = failures[0];
      throw new MigrateKitError((first?.code ?? 'MKE_INTERNAL') as ErrorCode, {
        message: `${failures.length} of ${rows.length} volumes of ${contextId} could not be deleted: ${first?.error ?? ''}`,
        details: { context_id: contextId, failures },
      });
    }
    return rows.length;
  }

  private async forgetRow(volumeId: string): Promise<void> {
    await this.attachment.unexpose(volumeId);
    await this.rt.repos.cloudstackVolumes.delete(volumeId);
  }

  /** After a failed create: drop the row only when CloudStack confirms the volume does not exist. */
  private async forgetIfGone(volumeId: string): Promise<void> {
    try {
      if ((await this.rt.reads.volume(volumeId)) === undefined) await this.forgetRow(volumeId);
    } catch (error) {
      // Unsure: keep the row, so the volume stays known and can be cleaned up later.
      this.rt.deps.logger.warn({ volumeId, err: errorMessage(error) }, 'could not check a failed create; row kept');
    }
  }

  private async placement(input: EnsureVolumeInput): Promise<Placement> {
    const { rt } = this;
    let zoneid = input.zoneId ?? rt.deps.zoneId;
    if (zoneid === undefined) {
      const server = await rt.reads.virtualMachine(rt.serverVmId);
      if (server === undefined)
        throw new MigrateKitError('MKE_NOT_FOUND', { message: `Server VM ${rt.serverVmId} not found in CloudStack` });
      zoneid = server.zoneid;
    }
    const chosen = input.diskOfferingId ?? rt.deps.diskOfferingId;
    const offerings = await rt.reads.retrying(() => rt.cloud.listDiskOfferings({}));
    const offering =
      chosen === undefined
        ? (offerings.find((o) => o.id === this.customOfferingId) ?? offerings.find((o) => o.iscustomized === true))
        : offerings.find((o) => o.id === chosen);
    if (offering === undefined)
      throw new MigrateKitError('MKE_VALIDATION', {
        message:
          chosen === undefined
            ? 'CloudStack offers no custom-size disk offering; configure a disk offering'
            : `Disk offering ${chosen} not found in CloudStack`,
      });
    if (chosen === undefined) this.customOfferingId = offering.id;
    const placement: Placement = { zoneid, diskofferingid: offering.id };
    if (offering.iscustomized === true) placement.size = Math.max(1, Math.ceil(input.sizeBytes / GIB));
    else if ((offering.disksize ?? 0) * GIB < input.sizeBytes)
      throw new MigrateKitError('MKE_VALIDATION', {
        message: `Disk offering ${offering.name} (${offering.disksize ?? 0} GB) is smaller than the disk (${input.sizeBytes} bytes)`,
      });
    return placement;
  }
}
