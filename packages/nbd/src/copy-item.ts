import { MigrateKitError } from '@migratekit/core';
import type { NbdBackend } from './nbd-backend';
import { NbdClient } from './nbd-client';
import type { WorkItem } from './copy-plan';
import { isZero } from './zero-detect';

export interface ItemOutcome {
  written: number;
  zeroed: number;
}

/** Copies one work item: all-zero data goes as WRITE_ZEROES (or is skipped on a destination known to be zero). */
export async function copyItem(
  item: WorkItem,
  source: NbdBackend,
  destination: NbdBackend,
  requestSize: number,
  destinationIsZero: boolean,
  scratch?: Buffer,
): Promise<ItemOutcome> {
  if (!item.zero) {
    const data = await readData(item, source, destination, scratch);
    if (!isZero(data)) {
      if (!destination.write) throw new MigrateKitError('MKE_VALIDATION', { message: 'destination is read-only' });
      await destination.write(item.offset, data, { fua: false });
      return { written: item.length, zeroed: 0 };
    }
  }
  if (!destinationIsZero) await writeZero(destination, item.offset, item.length, requestSize);
  return { written: 0, zeroed: item.length };
}

/**
 * Reads into the caller's reusable buffer when that is safe: an NBD destination has sent the bytes by the
 * time its WRITE is answered, while an in-process backend might keep a reference to them.
 */
async function readData(
  item: WorkItem,
  source: NbdBackend,
  destination: NbdBackend,
  scratch?: Buffer,
): Promise<Buffer> {
  if (!scratch || scratch.length < item.length || !source.readInto || !(destination instanceof NbdClient))
    return source.read(item.offset, item.length);
  const target = scratch.subarray(0, item.length);
  await source.readInto(item.offset, target);
  return target;
}

async function writeZero(destination: NbdBackend, offset: number, length: number, requestSize: number): Promise<void> {
  const canZero = destination instanceof NbdClient ? destination.canWriteZeroes : !!destination.writeZeroes;
  if (canZero && destination.writeZeroes) {
    await destination.writeZeroes(offset, length, { fua: false, noHole: false, fastZero: false });
    return;
  }
  const zeroes = Buffer.alloc(Math.min(length, requestSize));
  for (let at = offset; at < offset + length; at += zeroes.length)
    await destination.write?.(at, zeroes.subarray(0, Math.min(zeroes.length, offset + length - at)), { fua: false });
}
