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
): Promise<ItemOutcome> {
  if (!item.zero) {
    const data = await source.read(item.offset, item.length);
    if (!isZero(data)) {
      if (!destination.write) throw new MigrateKitError('MKE_VALIDATION', { message: 'destination is read-only' });
      await destination.write(item.offset, data, { fua: false });
      return { written: item.length, zeroed: 0 };
    }
  }
  if (!destinationIsZero) await writeZero(destination, item.offset, item.length, requestSize);
  return { written: 0, zeroed: item.length };
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
