export { VolumeService } from './volume.service';
export type { ReconcileReport } from './volume-reconciler';
export type {
  EnsureVolumeInput,
  ServerAttachment,
  VolumeCloud,
  VolumeServiceDeps,
  VolumeExportTarget,
  VolumeLogger,
  VolumeSnapshotInfo,
  VolumeTarget,
} from './volume.types';
export { DeviceResolver, nodeDeviceFs, type DeviceFs, type ResolvedDevice } from './device-resolver';
export { KeyedMutex } from './keyed-mutex';
export { byIdPath, isVolumeExportName, volumeExportName, volumeSerial } from './volume-naming';
export { VolumeViews } from './volume-views';
