import type { Clock } from '@migratekit/core';

export interface CopyProgress {
  bytesDone: number;
  bytesTotal: number;
  /** Throughput over the last few seconds. */
  currentBps: number;
  averageBps: number;
  peakBps: number;
  /** null until a rate is known. */
  etaSeconds: number | null;
  /** Everything below this offset is written and flushed (durable). */
  resumeOffset: number;
}

interface Sample {
  at: number;
  bytes: number;
}

/** Throughput bookkeeping driven by an injected clock, so tests control time. */
export class ProgressMeter {
  private readonly startedAt: number;
  private samples: Sample[] = [];
  private peak = 0;
  private lastEmit = -Infinity;
  bytesDone = 0;
  resumeOffset: number;

  constructor(
    private readonly clock: Clock,
    readonly bytesTotal: number,
    resumeOffset: number,
    private readonly windowMs = 3000,
  ) {
    this.startedAt = clock.now().getTime();
    this.resumeOffset = resumeOffset;
    this.samples.push({ at: this.startedAt, bytes: 0 });
  }

  add(bytes: number): void {
    this.bytesDone += bytes;
  }

  /** Records a sample and returns a snapshot; `due` says whether `intervalMs` passed since the last emit. */
  snapshot(intervalMs: number, force = false): CopyProgress | null {
    const now = this.clock.now().getTime();
    if (!force && now - this.lastEmit < intervalMs) return null;
    this.lastEmit = now;
    this.samples.push({ at: now, bytes: this.bytesDone });
    while (this.samples.length > 2 && (this.samples[1]?.at ?? now) <= now - this.windowMs) this.samples.shift();
    const oldest = this.samples[0] as Sample;
    const span = (now - oldest.at) / 1000;
    const current = span > 0 ? (this.bytesDone - oldest.bytes) / span : 0;
    const elapsed = (now - this.startedAt) / 1000;
    const average = elapsed > 0 ? this.bytesDone / elapsed : 0;
    if (span >= 0.5 || elapsed > 0) this.peak = Math.max(this.peak, current);
    const rate = current > 0 ? current : average;
    const left = this.bytesTotal - this.bytesDone;
    return {
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      currentBps: current,
      averageBps: average,
      peakBps: this.peak,
      etaSeconds: left <= 0 ? 0 : rate > 0 ? left / rate : null,
      resumeOffset: this.resumeOffset,
    };
  }

  elapsedMs(): number {
    return this.clock.now().getTime() - this.startedAt;
  }
}
