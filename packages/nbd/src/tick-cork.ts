import type { Writable } from 'node:stream';

/**
 * Writes made in the rest of this tick leave together, in one writev: on loopback each send syscall costs more
 * than gathering the buffers. The stream's own cork count says whether this tick already corked it.
 */
export function corkForThisTick(stream: Writable): void {
  if (stream.writableCorked > 0) return;
  stream.cork();
  process.nextTick(() => stream.uncork());
}
