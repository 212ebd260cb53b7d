import { open } from 'node:fs/promises';
import type { SimDisk } from './sim-disk';

// Initial guest data for a fresh disk: a "boot" region at offset 0, then chunks spread over the disk, one of
// them all zeroes (allocated but zero, as real guests leave them), so copies have holes, data and zero blocks.
// Or the content of a raw disk image (a real guest), copied once.

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

/** Granularity of the hole search: an all-zero block of the image stays a hole on the disk. */
const IMAGE_BLOCK = 64 * 1024;

/**
 * Copies a raw image into a fresh disk, as guest writes (so allocation records it and a full copy reads it), and
 * skips the image's all-zero blocks so the disk stays as sparse as the image. Returns the bytes written.
 */
export async function copyImage(disk: SimDisk, imagePath: string): Promise<number> {
  const image = await open(imagePath, 'r');
  try {
    const size = (await image.stat()).size;
    if (size > disk.capacity)
      throw new Error(`disk image ${imagePath} (${size} bytes) is larger than its disk (${disk.capacity} bytes)`);
    let written = 0;
    const chunk = Buffer.alloc(CHUNK);
    for (let offset = 0; offset < size; offset += CHUNK) {
      const { bytesRead } = await image.read(chunk, 0, Math.min(CHUNK, size - offset), offset);
      // Runs of non-zero blocks go in one write each.
      let runStart = -1;
      const flush = async (end: number): Promise<void> => {
        if (runStart === -1) return;
        await disk.write(offset + runStart, Buffer.from(chunk.subarray(runStart, end)));
        written += end - runStart;
        runStart = -1;
      };
      for (let at = 0; at < bytesRead; at += IMAGE_BLOCK) {
        if (isZero(chunk.subarray(at, Math.min(at + IMAGE_BLOCK, bytesRead)))) await flush(at);
        else if (runStart === -1) runStart = at;
      }
      await flush(bytesRead);
    }
    return written;
  } finally {
    await image.close();
  }
}

const ZERO_BLOCK = Buffer.alloc(IMAGE_BLOCK);

function isZero(block: Buffer): boolean {
  return block.equals(ZERO_BLOCK.subarray(0, block.length));
}
