// Attaching and detaching: the server VM (mode `oma`: device correlated by serial, NBD export registered) and
// any other VM (mode `failover`: exports untouched). Callers hold the volume's lock.
import type { Volume } from '@migratekit/cloudstack';
import type { CloudstackVolumeRecord } from '@migratekit/db';
import { volumeExportName } from './volume-naming';
import type { ServerAttachment } from './volume.types';
import { requireCloudVolume, volumeSummary, type VolumeRuntime } from './volume-runtime';

export class VolumeAttachment {
  constructor(private readonly rt: VolumeRuntime) {}

  /** Attaches to the server VM (moving it off another VM first), correlates the device and exports it. */
  async toServer(row: CloudstackVolumeRecord): Promise<ServerAttachment> {
    const { rt } = this;
    let actual = await requireCloudVolume(rt, row.volume_id);
    if (actual.virtualmachineid !== undefined && actual.virtualmachineid !== rt.serverVmId)
      actual = await this.detachFrom(row, actual);
    const alreadyThere = actual.virtualmachineid === rt.serverVmId;
    return rt.ops.run(
      {
        type: 'attach',
        contextId: row.vm_context_id,
        volumeId: row.volume_id,
        vmId: rt.serverVmId,
        request: { id: row.volume_id, virtualmachineid: rt.serverVmId, mode: 'oma' },
      },
      async () => {
        const volume = alreadyThere
          ? actual
          : await rt.cloud.attachVolume({ id: row.volume_id, virtualmachineid: rt.serverVmId });
        await this.recordAttachment(row, volume, 'oma');
        const attachment = await this.exposeOnServer(row);
        return {
          result: attachment,
          response: { ...volumeSummary(volume), already_attached: alreadyThere, ...attachmentFields(attachment) },
        };
      },
    );
  }

  /** Attaches to a VM that is not the server (failover). The NBD export is touched only if it leaves the server. */
  async toVm(row: CloudstackVolumeRecord, vmId: string, deviceId: number | undefined): Promise<Volume> {
    const { rt } = this;
    let actual = await requireCloudVolume(rt, row.volume_id);
    const alreadyThere = actual.virtualmachineid === vmId && (deviceId === undefined || actual.deviceid === deviceId);
    if (!alreadyThere && actual.virtualmachineid !== undefined) actual = await this.detachFrom(row, actual);
    return rt.ops.run(
      {
        type: 'attach',
        contextId: row.vm_context_id,
        volumeId: row.volume_id,
        vmId,
        request: { id: row.volume_id, virtualmachineid: vmId, deviceid: deviceId ?? null, mode: 'failover' },
      },
      async () => {
        const volume = alreadyThere
          ? actual
          : await rt.cloud.attachVolume({
              id: row.volume_id,
              virtualmachineid: vmId,
              ...(deviceId === undefined ? {} : { deviceid: deviceId }),
            });
        await this.recordAttachment(row, volume, 'failover');
        return { result: volume, response: { ...volumeSummary(volume), already_attached: alreadyThere } };
      },
    );
  }

  /** Detaches from whatever VM holds it; `onlyFromServer` leaves a volume on another VM alone. */
  async detach(row: CloudstackVolumeRecord, onlyFromServer: boolean): Promise<Volume> {
    const { rt } = this;
    const actual = await requireCloudVolume(rt, row.volume_id);
    const attachedTo = actual.virtualmachineid;
    if (attachedTo !== undefined && (!onlyFromServer || attachedTo === rt.serverVmId))
      return this.detachFrom(row, actual);
    // Nothing to detach: record that, and drop export/mapping rows a crash may have left behind.
    return rt.ops.run(
      {
        type: 'detach',
        contextId: row.vm_context_id,
        volumeId: row.volume_id,
        vmId: attachedTo ?? null,
        request: { id: row.volume_id, only_from_server: onlyFromServer },
      },
      async () => {
        if (attachedTo !== rt.serverVmId) await this.unexpose(row.volume_id);
        await this.recordAttachment(row, actual, row.mode);
        return { result: actual, response: { ...volumeSummary(actual), already_detached: true } };
      },
    );
  }

  /** Detaches `actual` from its VM; leaving the server VM removes the export and the device mapping first. */
  async detachFrom(row: CloudstackVolumeRecord, actual: Volume): Promise<Volume> {
    const { rt } = this;
    const fromVm = actual.virtualmachineid ?? null;
    const leavingServer = fromVm === rt.serverVmId;
    return rt.ops.run(
      {
        type: 'detach',
        contextId: row.vm_context_id,
        volumeId: row.volume_id,
        vmId: fromVm,
        request: { id: row.volume_id, virtualmachineid: fromVm },
      },
      async () => {
        // Stop serving the device before it goes away, so no write lands on a vanishing disk.
        if (leavingServer) await this.unexpose(row.volume_id);
        const volume = await rt.cloud.detachVolume({ id: row.volume_id });
        await this.recordAttachment(row, volume, row.mode);
        if (leavingServer && !(await rt.devices.waitGone(row.volume_id)))
          rt.deps.logger.warn({ volumeId: row.volume_id }, 'by-id link still present after detach');
        return { result: volume, response: { ...volumeSummary(volume), left_server: leavingServer } };
      },
    );
  }

  /** Device correlation, device_mappings row and NBD export for a volume attached to the server VM. */
  async exposeOnServer(row: CloudstackVolumeRecord): Promise<ServerAttachment> {
    const { rt } = this;
    const device = await rt.devices.waitFor(row.volume_id);
    const now = rt.deps.clock.now();
    await rt.repos.deviceMappings.upsert({
      volume_id: row.volume_id,
      vm_context_id: row.vm_context_id,
      vm_id: rt.serverVmId,
      linux_device_path: device.devicePath,
      persistent_device_name: device.persistentName,
      symlink_path: device.persistentName,
      size: row.size_bytes,
      cloudstack_state: 'attached',
      linux_state: 'present',
      last_sync: now,
    });
    const exportName = await rt.deps.nbdTarget.addVolumeExport(row.volume_id, device.devicePath);
    await rt.repos.nbdExports.upsert({
      export_name: exportName,
      vm_context_id: row.vm_context_id,
      volume_id: row.volume_id,
      device_path: device.devicePath,
      status: 'active',
    });
    return { devicePath: device.devicePath, persistentName: device.persistentName, exportName };
  }

  /** Removes the export (target and row) and the device mapping of a volume. */
  async unexpose(volumeId: string): Promise<void> {
    const { rt } = this;
    await rt.deps.nbdTarget.removeVolumeExport(volumeId);
    const recorded = await rt.repos.nbdExports.getByVolumeId(volumeId);
    if (recorded !== undefined) await rt.repos.nbdExports.delete(recorded.export_name);
    await rt.repos.nbdExports.delete(volumeExportName(volumeId));
    await rt.repos.deviceMappings.delete(volumeId);
  }

  /** Mirrors CloudStack's view of the attachment into cloudstack_volumes. */
  async recordAttachment(row: CloudstackVolumeRecord, volume: Volume, mode: 'oma' | 'failover'): Promise<void> {
    await this.rt.repos.cloudstackVolumes.update(row.volume_id, {
      attached_vm_id: volume.virtualmachineid ?? null,
      device_id: volume.virtualmachineid === undefined ? null : (volume.deviceid ?? null),
      mode,
      size_bytes: volume.size || row.size_bytes,
    });
  }
}

function attachmentFields(attachment: ServerAttachment): Record<string, unknown> {
  return {
    device_path: attachment.devicePath,
    persistent_name: attachment.persistentName,
    export_name: attachment.exportName,
  };
}
