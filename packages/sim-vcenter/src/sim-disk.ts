import { open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { ChangeTracker } from './change-tracker';
import { ExtentSet } from './extent-set';

// One virtual disk: a sparse raw file, the areas ever written (allocation), Changed Block Tracking, and
// copy-on-write layers that freeze the content at each snapshot. A write saves the old blocks into the
// newest layer before overwriting them; a layer is read through itself, then newer layers, then the base.

export const COW_BLOCK = 64 * 1024;
const SECTOR = 512;

interface CowLayer {
  readonly id: string;
  readonly path: string;
  readonly fh: FileHandle;
  /** Blocks whose content at freeze time lives in this layer's file. */
  readonly preserved: Set<number>;
  /** Allocation at freeze time. */
  readonly allocated: ExtentSet;
}

export interface SimDiskOptions {
  path: string;
  capacity: number;
}

export interface DiskExtent {
  offset: number;
  length: number;
  hole: boolean;
  zero: boolean;
}

export class SimDisk {
  readonly path: string;
  readonly capacity: number;
  readonly cbt = new ChangeTracker();
  allocated = new ExtentSet();
  private fh: FileHandle | undefined;
  private readonly layers: CowLayer[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(opts: SimDiskOptions) {
    this.path = opts.path;
    this.capacity = opts.capacity;
  }

  /** Opens (creating a sparse file of `capacity` bytes when missing). Returns true when the file was created. */
  async open(): Promise<boolean> {
    let created = false;
    try {
      this.fh = await open(this.path, 'r+');
    } catch {
      this.fh = await open(this.path, 'w+');
      created = true;
    }
    const st = await this.fh.stat();
    if (st.size !== this.capacity) await this.fh.truncate(this.capacity);
    return created;
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      for (const layer of this.layers.splice(0)) {
        await layer.fh.close();
        await rm(layer.path, { force: true });
      }
      await this.fh?.close();
      this.fh = undefined;
    });
  }

  get layerIds(): string[] {
    return this.layers.map((l) => l.id);
  }

  private base(): FileHandle {
    if (!this.fh) throw new Error(`disk ${this.path} is not open`);
    return this.fh;
  }

  // Serializes I/O on this disk so a read never sees half of a copy-on-write step.
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    // The chain only orders I/O; each operation's failure reaches its own caller through `run`.
    this.chain = run.catch(() => undefined);
    return run;
  }

  private checkRange(offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`bad range ${offset}+${length}`);
    }
    if (offset + length > this.capacity) {
      throw new RangeError(`range ${offset}+${length} beyond disk capacity ${this.capacity}`);
    }
  }

  /** A guest write: preserves frozen blocks, writes, and records allocation and CBT. */
  write(offset: number, data: Buffer): Promise<void> {
    return this.exclusive(async () => {
      this.checkRange(offset, data.length);
      const newest = this.layers[this.layers.length - 1];
      if (newest && data.length > 0) await this.preserve(newest, offset, data.length);
      await writeFully(this.base(), data, offset);
      // A disk tracks whole sectors, as a real host does: partial-sector writes count as their sectors.
      const start = Math.floor(offset / SECTOR) * SECTOR;
      const end = Math.min(this.capacity, Math.ceil((offset + data.length) / SECTOR) * SECTOR);
      this.allocated.add(start, end - start);
      this.cbt.recordWrite(start, end - start);
    });
  }

  private async preserve(layer: CowLayer, offset: number, length: number): Promise<void> {
    const first = Math.floor(offset / COW_BLOCK);
    const last = Math.floor((offset + length - 1) / COW_BLOCK);
    for (let b = first; b <= last; b++) {
      if (layer.preserved.has(b)) continue;
      const start = b * COW_BLOCK;
      const len = Math.min(COW_BLOCK, this.capacity - start);
      // Unallocated blocks read as zeroes from the sparse layer file already: no copy needed.
      if (layer.allocated.areas(start, start + len).length > 0) {
        const old = await readFully(this.base(), start, len);
        await writeFully(layer.fh, old, start);
      }
      layer.preserved.add(b);
    }
  }

  /** Current content (what the running guest sees). */
  read(offset: number, length: number): Promise<Buffer> {
    return this.exclusive(() => {
      this.checkRange(offset, length);
      return readFully(this.base(), offset, length);
    });
  }

  /**
   * Freezes the current content as layer `id`, stored at `layerPath` (a sparse file). With `markCbt` the
   * change tracker marks the same instant (no write can fall between) and the new change id is returned.
   */
  freeze(id: string, layerPath: string, markCbt: boolean): Promise<string | undefined> {
    return this.exclusive(async () => {
      const fh = await open(layerPath, 'w+');
      await fh.truncate(this.capacity);
      this.layers.push({ id, path: layerPath, fh, preserved: new Set(), allocated: this.allocated.clone() });
      return markCbt ? this.cbt.mark() : undefined;
    });
  }

  hasLayer(id: string): boolean {
    return this.layers.some((l) => l.id === id);
  }

  layerAllocated(id: string): ExtentSet {
    return this.layerAt(id).layer.allocated;
  }

  private layerAt(id: string): { layer: CowLayer; index: number } {
    const index = this.layers.findIndex((l) => l.id === id);
    const layer = this.layers[index];
    if (!layer) throw new Error(`disk ${this.path} has no frozen layer ${id}`);
    return { layer, index };
  }

  /** Content as it was when layer `id` was frozen. */
  readLayer(id: string, offset: number, length: number): Promise<Buffer> {
    return this.exclusive(async () => {
      this.checkRange(offset, length);
      const { index } = this.layerAt(id);
      const out = Buffer.alloc(length);
      let pos = offset;
      const end = offset + length;
      while (pos < end) {
        const source = this.sourceFor(index, Math.floor(pos / COW_BLOCK));
        let runEnd = Math.min(end, (Math.floor(pos / COW_BLOCK) + 1) * COW_BLOCK);
        while (runEnd < end && this.sourceFor(index, Math.floor(runEnd / COW_BLOCK)) === source) {
          runEnd = Math.min(end, runEnd + COW_BLOCK);
        }
        const chunk = await readFully(source, pos, runEnd - pos);
        chunk.copy(out, pos - offset);
        pos = runEnd;
      }
      return out;
    });
  }

  private sourceFor(layerIndex: number, block: number): FileHandle {
    for (let j = layerIndex; j < this.layers.length; j++) {
      const layer = this.layers[j];
      if (layer?.preserved.has(block)) return layer.fh;
    }
    return this.base();
  }

  /** Allocation of a frozen layer as NBD-style extents covering [offset, offset+length). */
  layerExtents(id: string, offset: number, length: number): DiskExtent[] {
    this.checkRange(offset, length);
    const allocated = this.layerAt(id).layer.allocated.areas(offset, offset + length);
    const out: DiskExtent[] = [];
    let pos = offset;
    for (const a of allocated) {
      if (a.start > pos) out.push({ offset: pos, length: a.start - pos, hole: true, zero: true });
      out.push({ offset: a.start, length: a.length, hole: false, zero: false });
      pos = a.start + a.length;
    }
    if (pos < offset + length) out.push({ offset: pos, length: offset + length - pos, hole: true, zero: true });
    return out;
  }

  /**
   * Brings the content back to layer `id` (revert to snapshot): every block changed since the freeze is
   * written back with its frozen content, as a guest write would be, so newer layers keep theirs and CBT
   * reports the reverted blocks as changed.
   */
  async revertTo(id: string): Promise<void> {
    const { index } = this.layerAt(id);
    const blocks = new Set<number>();
    for (const layer of this.layers.slice(index)) for (const b of layer.preserved) blocks.add(b);
    for (const b of [...blocks].sort((x, y) => x - y)) {
      const start = b * COW_BLOCK;
      const len = Math.min(COW_BLOCK, this.capacity - start);
      await this.write(start, await this.readLayer(id, start, len));
    }
  }

  /** Releases layer `id`; its saved blocks move to the next older layer, which still needs them. */
  dropLayer(id: string): Promise<void> {
    return this.exclusive(async () => {
      const { layer, index } = this.layerAt(id);
      const older = index > 0 ? this.layers[index - 1] : undefined;
      if (older) {
        for (const b of layer.preserved) {
          if (older.preserved.has(b)) continue;
          const start = b * COW_BLOCK;
          const len = Math.min(COW_BLOCK, this.capacity - start);
          await writeFully(older.fh, await readFully(layer.fh, start, len), start);
          older.preserved.add(b);
        }
      }
      this.layers.splice(index, 1);
      await layer.fh.close();
      await rm(layer.path, { force: true });
    });
  }
}

async function readFully(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break; // past EOF reads as zeroes
    done += bytesRead;
  }
  return buf;
}

async function writeFully(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
