// The ports and inputs of the way back from a failover: test cleanup, live rollback and the failed-execution
// cleanup (docs/failover-recovery.md). Built once in the composition root.
import type {
  CallOptions,
  DestroyVirtualMachineRequest,
  ListSnapshotsRequest,
  ListVirtualMachinesRequest,
  ListVolumesRequest,
  Snapshot,
  StopVirtualMachineRequest,
  VirtualMachine,
  Volume,
} from '@migratekit/cloudstack';
import type { Clock } from '@migratekit/core';
import type { Repositories } from '@migratekit/db';
import type { ServerAttachment, VolumeSnapshotInfo } from '../../volumes';

/** The CloudStack calls recovery makes itself: reads, and the target VM's stop and destroy (never volumes). */
export interface RecoveryCloud {
  listVolumes(req?: ListVolumesRequest, signal?: AbortSignal): Promise<Volume[]>;
  listSnapshots(req?: ListSnapshotsRequest, signal?: AbortSignal): Promise<Snapshot[]>;
  listVirtualMachines(req?: ListVirtualMachinesRequest, signal?: AbortSignal): Promise<VirtualMachine[]>;
  stopVirtualMachine(req: StopVirtualMachineRequest, options?: CallOptions): Promise<VirtualMachine>;
  destroyVirtualMachine(req: DestroyVirtualMachineRequest, options?: CallOptions): Promise<VirtualMachine>;
}

/** Volume changes go through the volume service only (it keeps cloudstack_volumes and the NBD exports right). */
export interface RecoveryVolumes {
  detach(volumeId: string): Promise<Volume>;
  attachToServer(volumeId: string): Promise<ServerAttachment>;
  revertSnapshot(snapshotId: string): Promise<VolumeSnapshotInfo>;
  deleteSnapshot(snapshotId: string): Promise<void>;
  /** A failover's template root disk left detached (its id recorded by the failover); refuses any other. */
  deleteDetachedTemplateRoot(volumeId: string): Promise<void>;
}

/** Powers the source VMware VM on again (through an agent); a VM already on stays on. */
export interface SourcePower {
  powerOn(contextId: string, signal: AbortSignal): Promise<{ powerState: string }>;
}

export interface RecoveryLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface RecoveryDeps {
  repositories: Repositories;
  volumes: RecoveryVolumes;
  /** The active configuration's client and the server VM volumes go back to. */
  cloud(): Promise<{ client: RecoveryCloud; serverVmId: string }>;
  sourcePower: SourcePower;
  clock: Clock;
  logger: RecoveryLogger;
  /**
   * Waits between reads of an object CloudStack is still changing (a job a crashed server left running).
   * Real time in production: it paces polling of an outside system, not the product's own schedule.
   */
  pause(ms: number, signal: AbortSignal): Promise<void>;
  /** How long to wait for a transitional state to end before the step fails (default 60 s). */
  settleTimeoutMs?: number;
}

export const RECOVERY_KINDS = ['test-cleanup', 'live-rollback', 'failover-repair'] as const;
/** The workflow names, fixed by the failover artifact contract. */
export type RecoveryKind = (typeof RECOVERY_KINDS)[number];

/** What a recovery workflow is started with; stored as the job's input (JSON). */
export interface RecoveryInput {
  kind: RecoveryKind;
  contextId: string;
  /** The failover jobs this run closes (the latest one for cleanup and rollback; every open one for repair). */
  failoverJobIds: string[];
  /** Power the source VM on at the end (live rollback, or repair of a live failover). */
  powerOnSource: boolean;
  /** Leave the target VM stopped (its volumes still go back to the server) instead of destroying it. */
  keepTarget: boolean;
  /** Who asked: a user name or 'system'. */
  requestedBy: string;
}
