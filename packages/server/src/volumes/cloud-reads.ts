// Read-only CloudStack lookups for the daemon. Reads can be repeated without effect, so a transient failure
// (5xx, transport, rate limit) is retried a few times here; writes are never retried blindly.
import {
  CloudStackApiError,
  CloudStackTransportError,
  type Snapshot,
  type VirtualMachine,
  type Volume,
} from '@migratekit/cloudstack';
import type { Clock } from '@migratekit/core';
import type { VolumeCloud } from './volume.types';

const RETRY_DELAY_MS = 200;

/** A failed read worth repeating: a transport error, 5xx or rate limit (CloudStack 530 and 429). */
export function isTransient(error: unknown): boolean {
  if (error instanceof CloudStackTransportError) return true;
  return error instanceof CloudStackApiError && (error.errorCode === 429 || error.errorCode >= 530);
}

/** CloudStack's answer when a uuid parameter names no entity (ParamProcessWorker). */
export function isEntityMissing(error: unknown): boolean {
  return (
    error instanceof CloudStackApiError &&
    error.errorCode === 431 &&
    /entity does not exist|unable to find|does not exist/i.test(error.errorText)
  );
}

export class CloudReads {
  constructor(
    private readonly cloud: VolumeCloud,
    private readonly clock: Clock,
    private readonly attempts: number,
  ) {}

  async retrying<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (!isTransient(error) || attempt >= this.attempts) throw error;
        await this.clock.sleep(RETRY_DELAY_MS * attempt);
      }
    }
  }

  /** The volume as CloudStack shows it now, or undefined when it does not exist. */
  async volume(volumeId: string): Promise<Volume | undefined> {
    try {
      const found = await this.retrying(() => this.cloud.listVolumes({ id: volumeId, listall: true }));
      return found.find((v) => v.id === volumeId);
    } catch (error) {
      if (isEntityMissing(error)) return undefined;
      throw error;
    }
  }

  async volumesNamed(name: string): Promise<Volume[]> {
    const found = await this.retrying(() => this.cloud.listVolumes({ name, listall: true }));
    return found.filter((v) => v.name === name);
  }

  async snapshot(snapshotId: string): Promise<Snapshot | undefined> {
    try {
      const found = await this.retrying(() => this.cloud.listSnapshots({ id: snapshotId, listall: true }));
      return found.find((s) => s.id === snapshotId);
    } catch (error) {
      if (isEntityMissing(error)) return undefined;
      throw error;
    }
  }

  async snapshotsOf(volumeId: string): Promise<Snapshot[]> {
    try {
      return await this.retrying(() => this.cloud.listSnapshots({ volumeid: volumeId, listall: true }));
    } catch (error) {
      if (isEntityMissing(error)) return [];
      throw error;
    }
  }

  async virtualMachine(vmId: string): Promise<VirtualMachine | undefined> {
    try {
      const found = await this.retrying(() => this.cloud.listVirtualMachines({ id: vmId, listall: true }));
      return found.find((vm) => vm.id === vmId);
    } catch (error) {
      if (isEntityMissing(error)) return undefined;
      throw error;
    }
  }
}
