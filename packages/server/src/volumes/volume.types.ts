// The volume daemon's ports: the CloudStack calls it makes (CloudStackClient satisfies this), the NBD target
// it registers exports on, and the deps object it is built from.
import type {
  AttachVolumeRequest,
  CallOptions,
  CreateSnapshotRequest,
  CreateVolumeRequest,
  DetachVolumeRequest,
  DiskOffering,
  ListDiskOfferingsRequest,
  ListSnapshotsRequest,
  ListVirtualMachinesRequest,
  ListVolumesRequest,
  Snapshot,
  SuccessResponse,
  VirtualMachine,
  Volume,
} from '@migratekit/cloudstack';
import type { Clock } from '@migratekit/core';
import type { Repositories } from '@migratekit/db';
import type { DeviceFs } from './device-resolver';

export interface VolumeCloud {
  listVolumes(req?: ListVolumesRequest, signal?: AbortSignal): Promise<Volume[]>;
  listSnapshots(req?: ListSnapshotsRequest, signal?: AbortSignal): Promise<Snapshot[]>;
  listVirtualMachines(req?: ListVirtualMachinesRequest, signal?: AbortSignal): Promise<VirtualMachine[]>;
  listDiskOfferings(req?: ListDiskOfferingsRequest, signal?: AbortSignal): Promise<DiskOffering[]>;
  createVolume(req: CreateVolumeRequest, options?: CallOptions): Promise<Volume>;
  attachVolume(req: AttachVolumeRequest, options?: CallOptions): Promise<Volume>;
  detachVolume(req: DetachVolumeRequest, options?: CallOptions): Promise<Volume>;
  deleteVolume(id: string, signal?: AbortSignal): Promise<SuccessResponse>;
  createSnapshot(req: CreateSnapshotRequest, options?: CallOptions): Promise<Snapshot>;
  revertSnapshot(id: string, options?: CallOptions): Promise<Snapshot>;
  deleteSnapshot(id: string, options?: CallOptions): Promise<SuccessResponse>;
}

/** What the daemon needs from the NBD target (packages/server/src/nbd-target implements it). */
export interface VolumeExportTarget {
  /** Serves `devicePath` as `vol-<volumeId>`; replaces an existing export of that volume. Returns the name. */
  addVolumeExport(volumeId: string, devicePath: string): Promise<string>;
  /** Removes the export (closing its connections); false when there was none. */
  removeVolumeExport(volumeId: string): Promise<boolean>;
  hasVolumeExport(volumeId: string): boolean;
}

/** pino-compatible subset. */
export interface VolumeLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Where volumes live and attach: the active CloudStack configuration's client and the server's own VM id. */
export interface VolumeTarget {
  cloudstack: VolumeCloud;
  /** The CloudStack VM this server runs in (cloudstack_configs.server_vm_id). */
  serverVmId: string;
}

export interface VolumeServiceDeps {
  /** Resolved per operation, so a configuration activated later is used without a restart (MKE_NOT_CONFIGURED before). */
  target(): Promise<VolumeTarget>;
  repositories: Repositories;
  clock: Clock;
  logger: VolumeLogger;
  nbdTarget: VolumeExportTarget;
  /** /dev/disk/by-id in production; the simulator's link directory in dev and tests. */
  byIdDir: string;
  /** How long an attached volume may take to show up under byIdDir. */
  deviceWaitTimeoutMs: number;
  devicePollIntervalMs?: number;
  fs?: DeviceFs;
  /** Defaults for createVolume; without them the server VM's zone and the first custom-size offering are used. */
  zoneId?: string;
  diskOfferingId?: string;
  /** Attempts for read-only CloudStack calls that fail with a retryable error (default 3). */
  readAttempts?: number;
}

export interface EnsureVolumeInput {
  contextId: string;
  /** The source disk (`disk-2000`). */
  diskId: string;
  sizeBytes: number;
  name: string;
  diskOfferingId?: string;
  zoneId?: string;
}

export interface ServerAttachment {
  /** Where the by-id link points now. */
  devicePath: string;
  /** The by-id link: `<byIdDir>/virtio-<serial>`. */
  persistentName: string;
  exportName: string;
}

export interface VolumeSnapshotInfo {
  snapshotId: string;
  volumeId: string;
  state: string;
}
