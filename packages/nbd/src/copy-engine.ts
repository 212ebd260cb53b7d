import { createHash } from 'node:crypto';
import { MigrateKitError, systemClock, type Clock } from '@migratekit/core';
import type { NbdBackend } from './nbd-backend';
import { NbdClient } from './nbd-client';
import { copyItem } from './copy-item';
import { CopyInterruptedError } from './copy-interrupted';
import type { NbdConnectSpec } from './copy-lane-messages';
import { normalizeRanges, planWork, type Range, type WorkItem } from './copy-plan';
import { ProgressMeter, type CopyProgress } from './copy-progress';
import { LaneCopy } from './copy-lanes';
import { DEFAULT_COPY_WORKERS, DEFAULT_IN_FLIGHT, DEFAULT_REQUEST_SIZE, defaultCopyConnections } from './copy-defaults';

export { CopyInterruptedError } from './copy-interrupted';
export type { NbdConnectSpec } from './copy-lane-messages';

/** An NBD server described by data (URI or client options), so lane processes can open their own connections. */
export interface NbdEndpointSpec {
  nbd: NbdConnectSpec;
}

/**
 * One side of a copy: an in-process backend (shared by all lanes), a factory opening one connection each
 * call, or an NBD spec (the only kind lane processes can use).
 */
export type CopyEndpoint = NbdBackend | (() => Promise<NbdBackend>) | NbdEndpointSpec;

export interface CopyOptions {
  source: CopyEndpoint;
  destination: CopyEndpoint;
  /** Ranges to copy (e.g. changed blocks). Default: the whole disk, mapped with the source's block status. */
  extents?: Range[];
  /**
   * Connections per side in total (default defaultCopyConnections(workers): one per process that copies; 1 when
   * an NBD side lacks CAN_MULTI_CONN).
   */
  connections?: number;
  /**
   * Lane processes that share the connections when both sides are NBD specs (0 = copy in this process).
   * Default DEFAULT_COPY_WORKERS, chosen by the nbd benchmark and the core count.
   */
  workers?: number;
  /** Data bytes per stripe handed to a lane (default 32 MiB). */
  stripeBytes?: number;
  /** Requests in flight per connection (default DEFAULT_IN_FLIGHT). */
  inFlight?: number;
  /** Bytes per READ/WRITE (default DEFAULT_REQUEST_SIZE, capped by each server's maximum). */
  requestSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: CopyProgress) => void;
  progressIntervalMs?: number;
  /** Everything below this offset was already copied and flushed by an earlier run. */
  resumeFrom?: number;
  /** Flush the destination and advance the resume cursor every this many bytes (default 256 MiB). */
  checkpointBytes?: number;
  onCheckpoint?: (resumeOffset: number) => void;
  /** The destination already reads as zeroes: zero ranges are skipped instead of written. */
  destinationIsZero?: boolean;
  clock?: Clock;
}

export interface CopyResult {
  bytesTotal: number;
  /** Bytes sent as WRITE. */
  bytesWritten: number;
  /** Bytes sent as WRITE_ZEROES (or skipped on a zero destination). */
  bytesZeroed: number;
  durationMs: number;
  averageBps: number;
  peakBps: number;
  resumeOffset: number;
}

interface Lanes {
  source: NbdBackend[];
  destination: NbdBackend[];
  opened: NbdBackend[];
}

function isSpec(endpoint: CopyEndpoint): endpoint is NbdEndpointSpec {
  return typeof endpoint === 'object' && 'nbd' in endpoint && !('read' in endpoint);
}

async function openEndpoint(endpoint: CopyEndpoint): Promise<{ handle: NbdBackend; owned: boolean }> {
  if (isSpec(endpoint)) return { handle: await NbdClient.connect(endpoint.nbd), owned: true };
  if (typeof endpoint === 'function') return { handle: await endpoint(), owned: true };
  return { handle: endpoint, owned: false };
}

async function openLanes(options: CopyOptions, wanted: number): Promise<Lanes> {
  const opened: NbdBackend[] = [];
  const open = async (endpoint: CopyEndpoint): Promise<NbdBackend> => {
    const { handle, owned } = await openEndpoint(endpoint);
    if (!owned) return handle;
    opened.push(handle);
    return handle;
  };
  try {
    const firstSource = await open(options.source);
    const firstDestination = await open(options.destination);
    // Several connections only when every NBD side shares its cache across them (CAN_MULTI_CONN).
    const multi = [firstSource, firstDestination].every((h) => !(h instanceof NbdClient) || h.canMultiConn);
    const count = multi ? Math.max(1, wanted) : 1;
    const source = [firstSource];
    const destination = [firstDestination];
    for (let i = 1; i < count; i++) {
      source.push(await open(options.source));
      destination.push(await open(options.destination));
    }
    return { source, destination, opened };
  } catch (error) {
    await Promise.allSettled(opened.map((h) => (h.close ? h.close() : Promise.resolve())));
    throw error;
  }
}

function maxRequest(handle: NbdBackend): number {
  return handle instanceof NbdClient ? handle.maxRequest : Number.MAX_SAFE_INTEGER;
}

/**
 * Copies ranges (or a whole disk) from source to destination over N connections with M requests in flight
 * each. All-zero blocks go as WRITE_ZEROES; the destination is flushed at checkpoints so `resumeOffset`
 * always names a durable prefix.
 */
export async function copyExtents(options: CopyOptions): Promise<CopyResult> {
  const workers = options.workers ?? DEFAULT_COPY_WORKERS;
  if (workers > 0 && isSpec(options.source) && isSpec(options.destination))
    return copyWithWorkers(options, options.source.nbd, options.destination.nbd, workers);
  return copyInProcess(options);
}

async function copyInProcess(options: CopyOptions): Promise<CopyResult> {
  const clock = options.clock ?? systemClock;
  const lanes = await openLanes(options, options.connections ?? defaultCopyConnections(0));
  const src0 = lanes.source[0] as NbdBackend;
  const dst0 = lanes.destination[0] as NbdBackend;
  try {
    if (dst0.size < src0.size)
      throw new MigrateKitError('MKE_VALIDATION', { message: 'destination is smaller than source' });
    const resumeFrom = options.resumeFrom ?? 0;
    const ranges = normalizeRanges(options.extents ?? [{ offset: 0, length: src0.size }], src0.size, resumeFrom);
    const total = ranges.reduce((sum, r) => sum + r.length, 0);
    const requestSize = Math.min(options.requestSize ?? DEFAULT_REQUEST_SIZE, maxRequest(src0), maxRequest(dst0));
    const meter = new ProgressMeter(clock, total, resumeFrom);
    const run = new CopyRun(options, lanes, meter, requestSize, resumeFrom);
    return await run.execute(planWork(src0, ranges, requestSize, options.extents === undefined), ranges);
  } finally {
    await Promise.allSettled(lanes.opened.map((h) => (h.close ? h.close() : Promise.resolve())));
  }
}

/** This process: planning, progress and the resume cursor; the lane processes move the data. */
async function copyWithWorkers(
  options: CopyOptions,
  source: NbdConnectSpec,
  destination: NbdConnectSpec,
  workers: number,
): Promise<CopyResult> {
  const clock = options.clock ?? systemClock;
  const opened: NbdClient[] = [];
  try {
    const src0 = await NbdClient.connect(source);
    opened.push(src0);
    const dst0 = await NbdClient.connect(destination);
    opened.push(dst0);
    // Several connections need CAN_MULTI_CONN on both sides; the in-process path then uses a single one.
    if (!src0.canMultiConn || !dst0.canMultiConn) return await copyInProcess(options);
    if (dst0.size < src0.size)
      throw new MigrateKitError('MKE_VALIDATION', { message: 'destination is smaller than source' });
    const resumeFrom = options.resumeFrom ?? 0;
    const ranges = normalizeRanges(options.extents ?? [{ offset: 0, length: src0.size }], src0.size, resumeFrom);
    const total = ranges.reduce((sum, r) => sum + r.length, 0);
    const requestSize = Math.min(options.requestSize ?? DEFAULT_REQUEST_SIZE, src0.maxRequest, dst0.maxRequest);
    const meter = new ProgressMeter(clock, total, resumeFrom);
    const connections = Math.max(1, options.connections ?? defaultCopyConnections(workers));
    const count = Math.min(workers, connections);
    const run = new LaneCopy({
      init: {
        source,
        destination,
        connections: Math.ceil(connections / count),
        inFlight: Math.max(1, options.inFlight ?? DEFAULT_IN_FLIGHT),
        requestSize,
        destinationIsZero: options.destinationIsZero ?? false,
      },
      lanes: count,
      stripeBytes: options.stripeBytes ?? 32 * 1024 * 1024,
      checkpointBytes: options.checkpointBytes ?? 256 * 1024 * 1024,
      progressIntervalMs: options.progressIntervalMs ?? 500,
      meter,
      signal: options.signal,
      onProgress: options.onProgress,
      onCheckpoint: options.onCheckpoint,
    });
    const end = ranges.length ? Math.max(...ranges.map((r) => r.offset + r.length)) : resumeFrom;
    const totals = await run.run(planWork(src0, ranges, requestSize, options.extents === undefined), end);
    options.onCheckpoint?.(meter.resumeOffset);
    const final = meter.snapshot(0, true) as CopyProgress;
    options.onProgress?.(final);
    return {
      bytesTotal: meter.bytesTotal,
      ...totals,
      durationMs: meter.elapsedMs(),
      averageBps: final.averageBps,
      peakBps: final.peakBps,
      resumeOffset: meter.resumeOffset,
    };
  } finally {
    await Promise.allSettled(opened.map((h) => h.close()));
  }
}

interface Issued {
  end: number;
  done: boolean;
}

class CopyRun {
  private readonly issued: Issued[] = [];
  private completedUpTo: number;
  private checkpointing: Promise<void> | null = null;
  private lastCheckpoint: number;
  private failure: unknown = null;
  private bytesWritten = 0;
  private bytesZeroed = 0;

  constructor(
    private readonly options: CopyOptions,
    private readonly lanes: Lanes,
    private readonly meter: ProgressMeter,
    private readonly requestSize: number,
    resumeFrom: number,
  ) {
    this.completedUpTo = resumeFrom;
    this.lastCheckpoint = resumeFrom;
  }

  async execute(work: AsyncGenerator<WorkItem>, ranges: Range[]): Promise<CopyResult> {
    const signal = this.options.signal;
    const onAbort = (): void => {
      this.failure ??= signal?.reason ?? new Error('aborted');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const perLane = Math.max(1, this.options.inFlight ?? DEFAULT_IN_FLIGHT);
    const workers: Array<Promise<void>> = [];
    for (let lane = 0; lane < this.lanes.source.length; lane++)
      for (let i = 0; i < perLane; i++) workers.push(this.worker(lane, work));
    await Promise.all(workers);
    signal?.removeEventListener('abort', onAbort);
    if (this.failure) {
      // Never rejects: a failed checkpoint flush is recorded as the failure.
      while (this.checkpointing) await this.checkpointing;
      throw new CopyInterruptedError(this.meter.resumeOffset, this.failure, signal?.aborted ?? false);
    }
    const end = ranges.length ? Math.max(...ranges.map((r) => r.offset + r.length)) : this.completedUpTo;
    while (this.checkpointing) await this.checkpointing;
    if (this.failure) throw new CopyInterruptedError(this.meter.resumeOffset, this.failure, signal?.aborted ?? false);
    await this.flushAll();
    this.meter.resumeOffset = Math.max(end, this.meter.resumeOffset);
    this.options.onCheckpoint?.(this.meter.resumeOffset);
    const final = this.meter.snapshot(0, true) as CopyProgress;
    this.options.onProgress?.(final);
    return {
      bytesTotal: this.meter.bytesTotal,
      bytesWritten: this.bytesWritten,
      bytesZeroed: this.bytesZeroed,
      durationMs: this.meter.elapsedMs(),
      averageBps: final.averageBps,
      peakBps: final.peakBps,
      resumeOffset: this.meter.resumeOffset,
    };
  }

  private async worker(lane: number, work: AsyncGenerator<WorkItem>): Promise<void> {
    const source = this.lanes.source[lane] as NbdBackend;
    const destination = this.lanes.destination[lane] as NbdBackend;
    const scratch = Buffer.allocUnsafe(this.requestSize);
    while (!this.failure) {
      let next: IteratorResult<WorkItem>;
      try {
        next = await work.next();
      } catch (error) {
        this.failure ??= error;
        return;
      }
      if (next.done || this.failure) return;
      const item = next.value;
      const slot: Issued = { end: item.offset + item.length, done: false };
      this.issued.push(slot);
      try {
        const outcome = await copyItem(
          item,
          source,
          destination,
          this.requestSize,
          this.options.destinationIsZero ?? false,
          scratch,
        );
        this.bytesWritten += outcome.written;
        this.bytesZeroed += outcome.zeroed;
      } catch (error) {
        this.failure ??= error;
        return;
      }
      slot.done = true;
      this.meter.add(item.length);
      this.advance();
    }
  }

  /** Moves the completed prefix forward, reports progress and starts a checkpoint flush when due. */
  private advance(): void {
    while (this.issued.length && this.issued[0]?.done) this.completedUpTo = (this.issued.shift() as Issued).end;
    this.checkpointIfDue();
    const progress = this.meter.snapshot(this.options.progressIntervalMs ?? 500);
    if (progress) this.options.onProgress?.(progress);
  }

  /** Flushes and advances the cursor to the completed prefix, if it moved far enough since the last one. */
  private checkpointIfDue(): void {
    const every = this.options.checkpointBytes ?? 256 * 1024 * 1024;
    if (this.failure || this.checkpointing || this.completedUpTo - this.lastCheckpoint < every) return;
    const mark = this.completedUpTo;
    this.checkpointing = this.flushAll().then(
      () => {
        this.lastCheckpoint = mark;
        this.meter.resumeOffset = mark;
        this.checkpointing = null;
        this.options.onCheckpoint?.(mark);
        // Items that completed during this flush may have made the next checkpoint due; when the copy has
        // stalled no further item completes to check it, so the cursor would stay behind (see copy-lanes.ts).
        this.checkpointIfDue();
      },
      (error: unknown) => {
        this.failure ??= error;
        this.checkpointing = null;
      },
    );
  }

  /** FLUSH covers only writes already answered, which is every write below the completed prefix. */
  private async flushAll(): Promise<void> {
    const destinations = [...new Set(this.lanes.destination)];
    const multi = destinations.every((d) => !(d instanceof NbdClient) || d.canMultiConn);
    const targets = multi ? destinations.slice(0, 1) : destinations;
    await Promise.all(targets.map((d) => (d.flush ? d.flush() : Promise.resolve())));
  }
}

/** sha256 (hex) of a range, read with several requests in flight; used to verify both ends of a copy. */
export async function hashRange(
  handle: NbdBackend,
  offset: number,
  length: number,
  options: { requestSize?: number; inFlight?: number } = {},
): Promise<string> {
  const hash = createHash('sha256');
  const size = options.requestSize ?? 1024 * 1024;
  const depth = options.inFlight ?? 8;
  const reads: Array<Promise<Buffer>> = [];
  let next = offset;
  const issue = (): void => {
    if (next >= offset + length) return;
    const n = Math.min(size, offset + length - next);
    const read = handle.read(next, n);
    // Reads still queued when an earlier one fails must not surface as unhandled rejections.
    read.catch(() => undefined);
    reads.push(read);
    next += n;
  };
  for (let i = 0; i < depth; i++) issue();
  while (reads.length) {
    hash.update(await (reads.shift() as Promise<Buffer>));
    issue();
  }
  return hash.digest('hex');
}
