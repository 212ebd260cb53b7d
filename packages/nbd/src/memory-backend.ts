import type { Extent, NbdBackend } from './nbd-backend';
import { coalesceExtents } from './nbd-backend';
import { NbdError } from './nbd-error';

const PAGE = 64 * 1024;

/**
 * A sparse in-memory disk: 64 KiB pages allocated on first write, so block status reports real holes and
 * a multi-GiB virtual size costs only what is written.
 */
export class MemoryBackend implements NbdBackend {
  readonly readOnly: boolean;
  private readonly pages = new Map<number, Buffer>();
  flushes = 0;

  constructor(
    readonly size: number,
    options: { readOnly?: boolean } = {},
  ) {
    this.readOnly = options.readOnly ?? false;
  }

  /** Bytes actually held (allocated pages). */
  get allocatedBytes(): number {
    return this.pages.size * PAGE;
  }

  private check(offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > this.size)
      throw NbdError.request('EINVAL', 'request beyond the end of the export');
  }

  read(offset: number, length: number): Promise<Buffer> {
    this.check(offset, length);
    const out = Buffer.alloc(length);
    let at = offset;
    while (at < offset + length) {
      const index = Math.floor(at / PAGE);
      const within = at - index * PAGE;
      const n = Math.min(PAGE - within, offset + length - at);
      const page = this.pages.get(index);
      if (page) page.copy(out, at - offset, within, within + n);
      at += n;
    }
    return Promise.resolve(out);
  }

  write(offset: number, data: Buffer): Promise<void> {
    this.check(offset, data.length);
    let at = offset;
    while (at < offset + data.length) {
      const index = Math.floor(at / PAGE);
      const within = at - index * PAGE;
      const n = Math.min(PAGE - within, offset + data.length - at);
      let page = this.pages.get(index);
      if (!page) {
        page = Buffer.alloc(Math.min(PAGE, this.size - index * PAGE));
        this.pages.set(index, page);
      }
      data.copy(page, within, at - offset, at - offset + n);
      at += n;
    }
    return Promise.resolve();
  }

  writeZeroes(offset: number, length: number, options: { noHole: boolean }): Promise<void> {
    this.check(offset, length);
    let at = offset;
    while (at < offset + length) {
      const index = Math.floor(at / PAGE);
      const within = at - index * PAGE;
      const n = Math.min(PAGE - within, offset + length - at);
      const page = this.pages.get(index);
      if (!options.noHole && within === 0 && (n === PAGE || index * PAGE + n === this.size)) this.pages.delete(index);
      else if (page) page.fill(0, within, within + n);
      else if (options.noHole) this.pages.set(index, Buffer.alloc(Math.min(PAGE, this.size - index * PAGE)));
      at += n;
    }
    return Promise.resolve();
  }

  trim(offset: number, length: number): Promise<void> {
    return this.writeZeroes(offset, length, { noHole: false });
  }

  flush(): Promise<void> {
    this.flushes += 1;
    return Promise.resolve();
  }

  blockStatus(offset: number, length: number): Promise<Extent[]> {
    this.check(offset, length);
    const extents: Extent[] = [];
    let at = offset;
    while (at < offset + length) {
      const index = Math.floor(at / PAGE);
      const n = Math.min((index + 1) * PAGE, this.size) - at;
      const allocated = this.pages.has(index);
      extents.push({ offset: at, length: n, hole: !allocated, zero: !allocated });
      at += n;
    }
    return Promise.resolve(coalesceExtents(extents));
  }
}
