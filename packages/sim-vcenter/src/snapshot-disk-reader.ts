import type { NbdBackend } from '@migratekit/nbd';
import type { SimDisk, DiskExtent } from './sim-disk';

// A read-only view of one disk as frozen by a snapshot, in @migratekit/nbd's NbdBackend shape: what
// nbdkit-vddk serves to the agent in production.

export class SnapshotDiskReader implements NbdBackend {
  readonly readOnly = true;
  readonly size: number;

  constructor(
    private readonly disk: SimDisk,
    private readonly snapshotId: string,
  ) {
    this.size = disk.capacity;
  }

  /** False once the snapshot was removed. */
  get valid(): boolean {
    return this.disk.hasLayer(this.snapshotId);
  }

  read(offset: number, length: number): Promise<Buffer> {
    return this.disk.readLayer(this.snapshotId, offset, length);
  }

  blockStatus(offset: number, length: number): Promise<DiskExtent[]> {
    return Promise.resolve(this.disk.layerExtents(this.snapshotId, offset, Math.min(length, this.size - offset)));
  }
}
