// What the daemon's parts share: deps, CloudStack reads, the operation recorder, the device resolver and the
// per-volume lock. Built once by VolumeService.
import type { Volume } from '@migratekit/cloudstack';
import { MigrateKitError } from '@migratekit/core';
import type { CloudstackVolumeRecord, Repositories } from '@migratekit/db';
import { CloudReads } from './cloud-reads';
import { DeviceResolver, nodeDeviceFs } from './device-resolver';
import type { KeyedMutex } from './keyed-mutex';
import { OperationRunner } from './operation-runner';
import type { VolumeCloud, VolumeServiceDeps, VolumeTarget } from './volume.types';

export interface VolumeRuntime {
  deps: VolumeServiceDeps;
  cloud: VolumeCloud;
  repos: Repositories;
  reads: CloudReads;
  ops: OperationRunner;
  devices: DeviceResolver;
  locks: KeyedMutex;
  serverVmId: string;
}

/** The runtime for one CloudStack (the active configuration's client) and server VM; locks are shared across. */
export function createVolumeRuntime(deps: VolumeServiceDeps, target: VolumeTarget, locks: KeyedMutex): VolumeRuntime {
  return {
    deps,
    cloud: target.cloudstack,
    repos: deps.repositories,
    reads: new CloudReads(target.cloudstack, deps.clock, deps.readAttempts ?? 3),
    ops: new OperationRunner(deps.repositories, deps.logger),
    devices: new DeviceResolver({
      fs: deps.fs ?? nodeDeviceFs,
      clock: deps.clock,
      byIdDir: deps.byIdDir,
      timeoutMs: deps.deviceWaitTimeoutMs,
      pollIntervalMs: deps.devicePollIntervalMs ?? 250,
    }),
    locks,
    serverVmId: target.serverVmId,
  };
}

export async function requireVolumeRow(rt: VolumeRuntime, volumeId: string): Promise<CloudstackVolumeRecord> {
  const row = await rt.repos.cloudstackVolumes.getByVolumeId(volumeId);
  if (row === undefined)
    throw new MigrateKitError('MKE_NOT_FOUND', { message: `Volume ${volumeId} is not managed by MigrateKit` });
  return row;
}

export async function requireCloudVolume(rt: VolumeRuntime, volumeId: string): Promise<Volume> {
  const volume = await rt.reads.volume(volumeId);
  if (volume === undefined)
    throw new MigrateKitError('MKE_NOT_FOUND', {
      message: `Volume ${volumeId} does not exist in CloudStack`,
      details: { volume_id: volumeId },
    });
  return volume;
}

/** The few fields of a CloudStack volume worth keeping in an operation's response. */
export function volumeSummary(volume: Volume): Record<string, unknown> {
  return {
    id: volume.id,
    name: volume.name,
    state: volume.state,
    size: volume.size,
    virtualmachineid: volume.virtualmachineid ?? null,
    deviceid: volume.deviceid ?? null,
  };
}
