// The storage behind one export. The server, the vCenter simulator and the volume exports plug their own in.

export interface Extent {
  offset: number;
  length: number;
  /** Not allocated (NBD_STATE_HOLE). */
  hole: boolean;
  /** Reads as zeroes (NBD_STATE_ZERO). */
  zero: boolean;
}

export interface NbdBackend {
  /** Bytes; disks are < 2^53. */
  readonly size: number;
  readonly readOnly: boolean;
  read(offset: number, length: number): Promise<Buffer>;
  /** Optional zero-allocation read into a caller's buffer (the server pools its buffers through this). */
  readInto?(offset: number, target: Buffer): Promise<void>;
  /** `data` may be a reused buffer: keep no reference to it once the returned promise settles. */
  write?(offset: number, data: Buffer, options: { fua: boolean }): Promise<void>;
  writeZeroes?(
    offset: number,
    length: number,
    options: { fua: boolean; noHole: boolean; fastZero: boolean },
  ): Promise<void>;
  trim?(offset: number, length: number): Promise<void>;
  flush?(): Promise<void>;
  blockStatus?(offset: number, length: number): Promise<Extent[]>;
  close?(): Promise<void>;
}

/** Merges adjacent extents with the same flags, so replies stay short. */
export function coalesceExtents(extents: Extent[]): Extent[] {
  const out: Extent[] = [];
  for (const e of extents) {
    const last = out[out.length - 1];
    if (last && last.hole === e.hole && last.zero === e.zero && last.offset + last.length === e.offset)
      last.length += e.length;
    else out.push({ ...e });
  }
  return out;
}
