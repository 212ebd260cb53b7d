import { read as fsRead, readSync, write as fsWrite } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { InlineReadGate } from './inline-reads';
import type { Extent, NbdBackend } from './nbd-backend';
import { NbdError } from './nbd-error';
import { seekData, seekEnd, seekHole, seekSupported } from './seek-extents';

const ZERO_CHUNK = 1024 * 1024;
const zeroes = Buffer.alloc(ZERO_CHUNK);

export interface FileBackendOptions {
  readOnly?: boolean;
  /** Use O_DIRECT-free synchronous durability: every write is followed by fdatasync (as with FUA). */
  syncWrites?: boolean;
  /** Read on the event loop while reads come from the page cache (inline-reads.ts); default true. */
  inlineReads?: boolean;
}

/** A regular file or block device, accessed with positioned reads and writes. */
export class FileBackend implements NbdBackend {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    readonly readOnly: boolean,
    readonly path: string,
    /** Decides per read between the event loop and the thread pool. */
    readonly reads: InlineReadGate,
  ) {}

  static async open(path: string, options: FileBackendOptions = {}): Promise<FileBackend> {
    const readOnly = options.readOnly ?? false;
    const handle = await open(path, readOnly ? 'r' : 'r+');
    try {
      const stat = await handle.stat();
      let size = stat.size;
      if (stat.isBlockDevice()) size = seekEnd(handle.fd) ?? 0;
      if (!stat.isFile() && !stat.isBlockDevice()) throw new Error(`${path} is not a file or block device`);
      return new FileBackend(handle, size, readOnly, path, new InlineReadGate(options.inlineReads ?? true));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Whether block status comes from SEEK_DATA/SEEK_HOLE (true) or reports everything as data (false). */
  get sparseAware(): boolean {
    return seekSupported();
  }

  private check(offset: number, length: number, errno: 'EINVAL' | 'ENOSPC' = 'EINVAL'): void {
    if (offset < 0 || length < 0 || offset + length > this.size)
      throw NbdError.request(errno, 'request beyond the end of the export');
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    await this.readInto(offset, buf);
    return buf;
  }

  async readInto(offset: number, buf: Buffer): Promise<void> {
    const length = buf.length;
    this.check(offset, length);
    let done = 0;
    while (done < length) {
      const bytesRead = await this.pread(buf, done, length - done, offset + done);
      if (bytesRead === 0) {
        buf.fill(0, done);
        break;
      }
      done += bytesRead;
    }
  }

  /** The callback fs.read: measurably cheaper per call than FileHandle.read's promise machinery. */
  private pread(buf: Buffer, at: number, length: number, position: number): Promise<number> {
    if (this.reads.inline()) return Promise.resolve(this.preadInline(buf, at, length, position));
    return new Promise((resolve, reject) => {
      fsRead(this.handle.fd, buf, at, length, position, (error, bytesRead) =>
        error ? reject(error) : resolve(bytesRead),
      );
    });
  }

  private preadInline(buf: Buffer, at: number, length: number, position: number): number {
    const started = process.hrtime.bigint();
    const bytesRead = readSync(this.handle.fd, buf, at, length, position);
    this.reads.record(length, process.hrtime.bigint() - started);
    return bytesRead;
  }

  async write(offset: number, data: Buffer, options: { fua: boolean }): Promise<void> {
    this.check(offset, data.length, 'ENOSPC');
    let done = 0;
    while (done < data.length) done += await this.pwrite(data, done, data.length - done, offset + done);
    if (options.fua) await this.handle.datasync();
  }

  /** The callback fs.write, for the same reason as pread. */
  private pwrite(buf: Buffer, at: number, length: number, position: number): Promise<number> {
    return new Promise((resolve, reject) => {
      fsWrite(this.handle.fd, buf, at, length, position, (error, bytesWritten) =>
        error ? reject(error) : resolve(bytesWritten),
      );
    });
  }

  async writeZeroes(
    offset: number,
    length: number,
    options: { fua: boolean; noHole: boolean; fastZero: boolean },
  ): Promise<void> {
    this.check(offset, length, 'ENOSPC');
    // Node cannot punch holes (no fallocate); a range that is already a hole reads as zeroes, so it is left alone.
    if (!options.noHole && (await this.isHole(offset, length))) return;
    // Writing zeroes is no faster than writing data here, which FAST_ZERO asks us to admit.
    if (options.fastZero) throw NbdError.request('ENOTSUP', 'zeroing is not faster than writing');
    for (let at = offset; at < offset + length; at += ZERO_CHUNK) {
      const n = Math.min(ZERO_CHUNK, offset + length - at);
      await this.handle.write(zeroes, 0, n, at);
    }
    if (options.fua) await this.handle.datasync();
  }

  private async isHole(offset: number, length: number): Promise<boolean> {
    const data = await seekData(this.handle.fd, offset);
    if (data === null) return false;
    return data === -1 || data >= offset + length;
  }

  async flush(): Promise<void> {
    await this.handle.datasync();
  }

  async blockStatus(offset: number, length: number): Promise<Extent[]> {
    this.check(offset, length);
    const end = offset + length;
    if (!seekSupported()) return [{ offset, length, hole: false, zero: false }];
    const extents: Extent[] = [];
    let at = offset;
    while (at < end && extents.length < 1024) {
      const data = await seekData(this.handle.fd, at);
      const dataAt = data === null ? at : data === -1 ? this.size : data;
      if (dataAt > at) {
        const holeEnd = Math.min(dataAt, this.size);
        extents.push({ offset: at, length: holeEnd - at, hole: true, zero: true });
        at = holeEnd;
        continue;
      }
      const hole = await seekHole(this.handle.fd, at);
      const dataEnd = Math.min(hole === null || hole === -1 ? this.size : hole, this.size);
      extents.push({ offset: at, length: Math.max(dataEnd - at, 1), hole: false, zero: false });
      at = Math.max(dataEnd, at + 1);
    }
    return extents;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
