export { VolumeDaemon } from './volume-daemon';
export type { ReconcileReport } from './volume-reconciler';
export type {
  EnsureVolumeInput,
  ServerAttachment,
  VolumeCloud,
  VolumeDaemonDeps,
  VolumeExportTarget,
  VolumeLogger,
  VolumeSnapshotInfo,
  VolumeTarget,
} from './volume-daemon.types';
export { DeviceResolver, nodeDeviceFs, type DeviceFs, type ResolvedDevice } from './device-resolver';
export { KeyedMutex } from './keyed-mutex';
export { byIdPath, isVolumeExportName, volumeExportName, volumeSerial } from './volume-naming';
export { VolumeViews } from './volume-views';
