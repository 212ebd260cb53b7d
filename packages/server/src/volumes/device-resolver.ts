// Correlates an attached volume with its Linux block device by the one identifier KVM guarantees: the disk serial,
// visible as <byIdDir>/virtio-<serial>. No timing windows, no "newest /dev/vdX"
// (docs/lessons.md#device-correlation-by-timing): the link appears or the wait ends with MKE_VOLUME_DEVICE_TIMEOUT.
import { realpath } from 'node:fs/promises';
import { MigrateKitError, type Clock } from '@migratekit/core';
import { byIdPath } from './volume-naming';

export interface DeviceFs {
  /** Resolves symlinks; rejects with ENOENT while the link does not exist. */
  realpath(path: string): Promise<string>;
}

export const nodeDeviceFs: DeviceFs = { realpath: (path) => realpath(path) };

export interface DeviceResolverDeps {
  fs: DeviceFs;
  clock: Clock;
  byIdDir: string;
  timeoutMs: number;
  pollIntervalMs: number;
}

export interface ResolvedDevice {
  /** The by-id link: stable for the life of the attachment, the name recorded and exported. */
  persistentName: string;
  /** Where the link points now (/dev/vdX in production, the volume file in the simulator). */
  devicePath: string;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class DeviceResolver {
  constructor(private readonly deps: DeviceResolverDeps) {}

  /** The device if the link exists now, undefined if not. */
  async current(volumeId: string): Promise<ResolvedDevice | undefined> {
    const persistentName = byIdPath(this.deps.byIdDir, volumeId);
    try {
      return { persistentName, devicePath: await this.deps.fs.realpath(persistentName) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Polls (on the injected clock) until the link appears, for at most timeoutMs. */
  async waitFor(volumeId: string, signal?: AbortSignal): Promise<ResolvedDevice> {
    const started = this.deps.clock.now().getTime();
    for (;;) {
      const device = await this.current(volumeId);
      if (device !== undefined) return device;
      const waited = this.deps.clock.now().getTime() - started;
      if (waited >= this.deps.timeoutMs) {
        throw new MigrateKitError('MKE_VOLUME_DEVICE_TIMEOUT', {
          message: `Volume ${volumeId} is attached but ${byIdPath(this.deps.byIdDir, volumeId)} did not appear within ${this.deps.timeoutMs} ms`,
          details: { volume_id: volumeId, by_id_path: byIdPath(this.deps.byIdDir, volumeId), waited_ms: waited },
        });
      }
      await this.deps.clock.sleep(Math.min(this.deps.pollIntervalMs, this.deps.timeoutMs - waited), signal);
    }
  }

  /** True once the link is gone (after a detach); polls like waitFor but never throws on timeout. */
  async waitGone(volumeId: string): Promise<boolean> {
    const started = this.deps.clock.now().getTime();
    for (;;) {
      if ((await this.current(volumeId)) === undefined) return true;
      const waited = this.deps.clock.now().getTime() - started;
      if (waited >= this.deps.timeoutMs) return false;
      await this.deps.clock.sleep(Math.min(this.deps.pollIntervalMs, this.deps.timeoutMs - waited));
    }
  }
}
