// When a file read runs on the event loop instead of libuv's thread pool (docs/decisions/inline-file-reads.md).
//
// A read served from the page cache is a memory copy of tens of microseconds; handing it to the thread pool
// costs a thread wake-up, a completion wake-up of the loop and a promise: on 2 cores our server served nbdcopy
// at 0.83-0.87 x nbdkit's speed that way, 0.88-1.01 x with inline reads. A read that waits for a disk must not
// block the loop, so a few reads in a row slower than a page-cache copy send the next reads to the thread pool,
// then inline reads are tried again. One slow read alone proves nothing: on a busy machine the process is often
// preempted in the middle of a cached read (1-5 ms, dozens of times per 2 GiB on 2 cores), while reads from a
// device are slow one after another.

/** Fixed cost allowed for an inline read before it counts as slow, in nanoseconds. */
const SLOW_BASE_NS = 200_000n;
/** A page-cache copy runs at several GB/s; a read slower than 1 GB/s (1 ns per byte) went to a device. */
const SLOW_NS_PER_BYTE = 1n;
/** Slow inline reads in a row that send reads to the thread pool. */
export const SLOW_READS_IN_A_ROW = 3;
/** Reads then sent to the thread pool before inline reads are tried again. */
export const POOLED_READS_AFTER_SLOW = 512;

export class InlineReadGate {
  private pooledLeft = 0;
  private slowInARow = 0;
  private pooledCount = 0;

  constructor(private readonly enabled: boolean) {}

  /** Whether the next read should run inline; each call that answers false uses up one pooled read. */
  inline(): boolean {
    if (!this.enabled) return false;
    if (this.pooledLeft === 0) return true;
    this.pooledLeft -= 1;
    return false;
  }

  /** Records how long an inline read of `bytes` took. */
  record(bytes: number, elapsedNs: bigint): void {
    if (elapsedNs <= SLOW_BASE_NS + BigInt(bytes) * SLOW_NS_PER_BYTE) {
      this.slowInARow = 0;
      return;
    }
    this.slowInARow += 1;
    if (this.slowInARow < SLOW_READS_IN_A_ROW) return;
    this.slowInARow = 0;
    this.pooledLeft = POOLED_READS_AFTER_SLOW;
    this.pooledCount += 1;
  }

  /** How many times slow reads sent reads to the thread pool (for tests and diagnostics). */
  get timesPooled(): number {
    return this.pooledCount;
  }
}
