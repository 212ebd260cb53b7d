import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A temp directory removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'mk-nbd-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const MiB = 1024 * 1024;

/** Default layout: random data with sparse gaps, an all-zero allocated block, and a data tail. */
const DEFAULT_REGIONS: Array<[number, number]> = [
  [0, 256 * 1024],
  [1 * MiB, 512 * 1024],
  [3 * MiB + 4096, 100 * 1024],
  [6 * MiB - 64 * 1024, 64 * 1024],
];

/** Writes a sparse raw image of `size` bytes with random data in `regions` ([offset, length] pairs). */
export async function makeSparseImage(
  path: string,
  size: number,
  regions: Array<[number, number]> = DEFAULT_REGIONS,
  options: { zeroBlockAt?: number } = {},
): Promise<void> {
  writeFileSync(path, '');
  truncateSync(path, size);
  const fh = await open(path, 'r+');
  try {
    for (const [offset, length] of regions) await fh.write(randomBytes(length), 0, length, offset);
    // Allocated but all zero: the copy engine must turn it into WRITE_ZEROES.
    if (options.zeroBlockAt !== undefined) await fh.write(Buffer.alloc(128 * 1024), 0, 128 * 1024, options.zeroBlockAt);
  } finally {
    await fh.close();
  }
}

export function emptyImage(path: string, size: number): void {
  writeFileSync(path, '');
  truncateSync(path, size);
}
