// One disk's copy with the NBD copy engine, restarted after a dropped connection from the engine's durable
// cursor (everything below it is written and flushed), so a network blip costs at most one checkpoint of data.
import { isMigrateKitError, type Clock } from '@migratekit/core';
import { CopyInterruptedError, copyExtents, type CopyProgress, type NbdBackend, type Range } from '@migratekit/nbd';
import type { AgentLogger } from './agent-link';

const DEFAULT_CHECKPOINT_BYTES = 64 * 1024 * 1024;

export interface CopyWithResumeOptions {
  diskId: string;
  source: () => Promise<NbdBackend>;
  destination: () => Promise<NbdBackend>;
  extents: Range[];
  destinationIsZero: boolean;
  signal: AbortSignal;
  logger: Pick<AgentLogger, 'warn'>;
  connections?: number | undefined;
  inFlight?: number | undefined;
  /**
   * Flush and advance the cursor this often (default 64 MiB: a drop re-sends at most this much). Each checkpoint
   * is a FLUSH, an fsync on the target: at 16 MiB a 512 MiB copy took 10-13 s against about 7 s at 256 MiB
   * (docs/benchmarks.md, e2e-replication notes); 64 MiB keeps a WAN drop cheap without most of that cost.
   */
  checkpointBytes?: number;
  maxResumes?: number;
  clock?: Clock | undefined;
  /** `base`: bytes of the extents already durable before this attempt. */
  onProgress?: (base: number, progress: CopyProgress) => void;
}

export interface CopyWithResumeResult {
  bytesWritten: number;
  bytesZeroed: number;
  resumes: number;
  /** Bytes the attempts covered in total (the sum of each attempt's remaining extents). */
  bytesAttempted: number;
}

/** How many bytes of `ranges` lie below `offset`. */
export function bytesBelow(ranges: Range[], offset: number): number {
  return ranges.reduce((sum, r) => sum + Math.max(0, Math.min(r.length, offset - r.offset)), 0);
}

export async function copyWithResume(options: CopyWithResumeOptions): Promise<CopyWithResumeResult> {
  let resumeFrom = 0;
  let resumes = 0;
  let attempted = 0;
  for (;;) {
    const base = bytesBelow(options.extents, resumeFrom);
    attempted += bytesBelow(options.extents, Number.MAX_SAFE_INTEGER) - base;
    try {
      const result = await copyExtents({
        source: options.source,
        destination: options.destination,
        extents: options.extents,
        ...(options.connections === undefined ? {} : { connections: options.connections }),
        ...(options.inFlight === undefined ? {} : { inFlight: options.inFlight }),
        resumeFrom,
        checkpointBytes: options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES,
        destinationIsZero: options.destinationIsZero,
        signal: options.signal,
        ...(options.onProgress === undefined ? {} : { onProgress: (p: CopyProgress) => options.onProgress?.(base, p) }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
      return { bytesWritten: result.bytesWritten, bytesZeroed: result.bytesZeroed, resumes, bytesAttempted: attempted };
    } catch (error) {
      const retry =
        error instanceof CopyInterruptedError &&
        !options.signal.aborted &&
        isMigrateKitError(error) &&
        error.code !== 'MKE_CANCELLED' &&
        resumes < (options.maxResumes ?? 5);
      if (!retry) throw error;
      resumes += 1;
      options.logger.warn(
        { disk_id: options.diskId, resume_from: error.resumeOffset, attempt: resumes, err: error.message },
        'NBD copy interrupted; resuming from the durable cursor',
      );
      resumeFrom = Math.max(resumeFrom, error.resumeOffset);
    }
  }
}
