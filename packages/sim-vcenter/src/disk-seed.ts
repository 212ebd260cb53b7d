import type { SimDisk } from './sim-disk';

// Initial guest data for a fresh disk: a "boot" region at offset 0, then chunks spread over the disk, one of
// them all zeroes (allocated but zero, as real guests leave them), so copies have holes, data and zero blocks.

const CHUNK = 1024 * 1024;

/** Deterministic pseudo-random bytes (xorshift32), fast enough for tens of MiB. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer, 0, length);
}

export function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export async function seedDisk(disk: SimDisk, bytes: number, seed: number): Promise<void> {
  if (bytes <= 0) return;
  const total = Math.min(bytes, disk.capacity);
  const chunks = Math.max(1, Math.ceil(total / CHUNK));
  const stride = Math.floor(disk.capacity / chunks / 4096) * 4096;
  let left = total;
  for (let i = 0; i < chunks && left > 0; i++) {
    const len = Math.min(CHUNK, left);
    const offset = i * stride;
    if (offset + len > disk.capacity) break;
    const zero = chunks > 2 && i === chunks - 1;
    await disk.write(offset, zero ? Buffer.alloc(len) : pseudoRandomBytes(len, seed + i));
    left -= len;
  }
}
