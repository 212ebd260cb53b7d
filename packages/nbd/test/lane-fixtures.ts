// Helpers of the copy-lane tests (copy-lanes*.test.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MemoryBackend, type NbdBackend } from '../src/index';

export async function filledDisk(size: number): Promise<MemoryBackend> {
  const disk = new MemoryBackend(size);
  await disk.write(0, randomBytes(size));
  return disk;
}

/**
 * Polls a condition every 10 ms instead of sleeping for a fixed time, and fails after `withinMs` (generous:
 * starting lane processes takes seconds on a loaded CI machine).
 */
export async function until(condition: () => boolean, what: string | (() => string), withinMs = 30_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), typeof what === 'string' ? what : what());
}

/** Reads at or above `gateAt` wait until released, so a copy can be held mid-way deterministically. */
export function gated(inner: NbdBackend, gateAt: number): { backend: NbdBackend; release: () => void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const backend: NbdBackend = {
    size: inner.size,
    readOnly: true,
    read: async (o, l) => {
      if (o + l > gateAt) await gate;
      return inner.read(o, l);
    },
  };
  return { backend, release };
}
