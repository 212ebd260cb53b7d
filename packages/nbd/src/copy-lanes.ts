// Runs a copy over lanes in child processes. The main process plans (block status), hands out stripes of
// work items, aggregates progress and keeps the resume cursor; each lane process does its own socket I/O (and
// TLS crypto), which one Node thread otherwise serialises. Child processes rather than worker threads: see
// docs/benchmarks.md (nbd, issue 17 notes).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CopyInterruptedError } from './copy-interrupted';
import { errorFromLane, type FromLane, type LaneInit, type ToLane } from './copy-lane-messages';
import type { WorkItem } from './copy-plan';
import type { CopyProgress, ProgressMeter } from './copy-progress';

export interface LaneCopySetup {
  init: LaneInit;
  lanes: number;
  stripeBytes: number;
  checkpointBytes: number;
  progressIntervalMs: number;
  meter: ProgressMeter;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: CopyProgress) => void) | undefined;
  onCheckpoint?: ((resumeOffset: number) => void) | undefined;
}

export interface LaneCopyTotals {
  bytesWritten: number;
  bytesZeroed: number;
}

/** Stripes handed to one lane ahead of its progress, so it never idles waiting for the next one. */
const STRIPES_AHEAD = 2;
const STOP_GRACE_MS = 5000;
const LANE_ENTRY = fileURLToPath(new URL('./copy-lane-bootstrap.mjs', import.meta.url));

interface Lane {
  child: ChildProcess;
  outstanding: number;
  closed: Promise<void>;
  /** Messages held until the lane process listens: IPC messages sent before that are lost. */
  held: ToLane[] | null;
}

interface Stripe {
  end: number;
  done: boolean;
}

/** Groups planned items into stripes: data items up to `stripeBytes`, each known-zero item on its own. */
class Striper {
  private held: WorkItem | null = null;
  constructor(
    private readonly work: AsyncGenerator<WorkItem>,
    private readonly stripeBytes: number,
  ) {}

  private async pull(): Promise<WorkItem | null> {
    const next = await this.work.next();
    return next.done ? null : next.value;
  }

  async next(): Promise<WorkItem[] | null> {
    const items: WorkItem[] = [];
    let bytes = 0;
    for (;;) {
      const item = this.held ?? (await this.pull());
      this.held = null;
      if (!item) break;
      if (item.zero && items.length) {
        this.held = item;
        break;
      }
      items.push(item);
      bytes += item.length;
      if (item.zero || bytes >= this.stripeBytes) break;
    }
    return items.length ? items : null;
  }
}

export class LaneCopy {
  private readonly lanes: Lane[] = [];
  private readonly stripes = new Map<number, Stripe>();
  private readonly order: Stripe[] = [];
  private readonly flushWaits = new Map<number, { left: number; done: () => void }>();
  private nextId = 0;
  private failure: unknown = null;
  private changed: (() => void) | null = null;
  private completedUpTo: number;
  private lastCheckpoint: number;
  private checkpointing: Promise<void> | null = null;
  private readonly totals: LaneCopyTotals = { bytesWritten: 0, bytesZeroed: 0 };

  constructor(private readonly setup: LaneCopySetup) {
    this.completedUpTo = setup.meter.resumeOffset;
    this.lastCheckpoint = setup.meter.resumeOffset;
  }

  /** Copies every planned item; returns once all are written and flushed, or throws CopyInterruptedError. */
  async run(work: AsyncGenerator<WorkItem>, end: number): Promise<LaneCopyTotals> {
    const signal = this.setup.signal;
    const onAbort = (): void => this.fail(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      for (let i = 0; i < this.setup.lanes && !this.failure; i++) this.lanes.push(this.spawn());
      await this.dispatch(new Striper(work, this.setup.stripeBytes));
      while (!this.failure && this.order.some((s) => !s.done)) await this.nextChange();
      if (!this.failure) {
        while (this.checkpointing) await this.checkpointing;
        await this.flushAll();
      }
    } catch (error) {
      this.fail(error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await this.stopAll();
    }
    if (this.failure)
      throw new CopyInterruptedError(this.setup.meter.resumeOffset, this.failure, signal?.aborted ?? false);
    this.setup.meter.resumeOffset = Math.max(end, this.setup.meter.resumeOffset);
    return this.totals;
  }

  private spawn(): Lane {
    const child = fork(LANE_ENTRY, [], {
      // The entry registers tsx itself; the parent's flags (--test, --import, --cpu-prof) stay out of the lane.
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let closedResolve: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (closedResolve = resolve));
    const lane: Lane = { child, outstanding: 0, closed, held: [{ type: 'init', init: this.setup.init }] };
    child.on('message', (message: FromLane) => this.receive(lane, message));
    child.on('error', (error) => this.fail(error));
    child.on('exit', (code, signal) => {
      closedResolve();
      // stopAll() takes the lanes out first: a lane still listed exited on its own, and a flush waiting for
      // its answer (even with every stripe done) would otherwise wait forever.
      if (this.lanes.includes(lane)) this.fail(new Error(`copy lane process exited (${signal ?? code})`));
    });
    return lane;
  }

  private receive(lane: Lane, message: FromLane): void {
    switch (message.type) {
      case 'progress':
        this.setup.meter.add(message.bytes);
        this.totals.bytesWritten += message.written;
        this.totals.bytesZeroed += message.zeroed;
        this.report();
        break;
      case 'stripe-done': {
        lane.outstanding -= 1;
        const stripe = this.stripes.get(message.id);
        this.stripes.delete(message.id);
        if (stripe) stripe.done = true;
        this.advance();
        break;
      }
      case 'flushed': {
        const wait = this.flushWaits.get(message.id);
        if (wait && --wait.left === 0) {
          this.flushWaits.delete(message.id);
          wait.done();
        }
        break;
      }
      case 'failed':
        this.fail(errorFromLane(message));
        break;
      case 'listening':
        for (const held of lane.held?.splice(0) ?? []) this.send(lane, held);
        lane.held = null;
        break;
      case 'closed':
      case 'ready':
        break;
    }
    this.notify();
  }

  private async dispatch(striper: Striper): Promise<void> {
    for (;;) {
      if (this.failure) return;
      const lane = this.lanes.reduce<Lane | null>(
        (best, l) => (l.outstanding < STRIPES_AHEAD && (!best || l.outstanding < best.outstanding) ? l : best),
        null,
      );
      if (!lane) {
        await this.nextChange();
        continue;
      }
      const items = await striper.next();
      if (!items || this.failure) return;
      const id = this.nextId++;
      const last = items[items.length - 1] as WorkItem;
      const stripe: Stripe = { end: last.offset + last.length, done: false };
      this.stripes.set(id, stripe);
      this.order.push(stripe);
      lane.outstanding += 1;
      this.post(lane, { type: 'stripe', id, items });
    }
  }

  /** Moves the completed prefix forward and starts a checkpoint when one is due. */
  private advance(): void {
    while (this.order[0]?.done) this.completedUpTo = (this.order.shift() as Stripe).end;
    this.checkpointIfDue();
  }

  /** Flushes every lane and advances the cursor to the completed prefix, if it moved far enough. */
  private checkpointIfDue(): void {
    if (this.failure || this.checkpointing) return;
    if (this.completedUpTo - this.lastCheckpoint < this.setup.checkpointBytes) return;
    const mark = this.completedUpTo;
    this.checkpointing = this.flushAll().then(
      () => {
        this.checkpointing = null;
        if (this.failure) return;
        this.lastCheckpoint = mark;
        this.setup.meter.resumeOffset = mark;
        this.setup.onCheckpoint?.(mark);
        // Stripes that completed during this flush may have made the next checkpoint due. No stripe-done may
        // follow (a stalled or cancelled copy), so it is checked here, or the cursor would stay behind.
        this.checkpointIfDue();
      },
      (error: unknown) => {
        this.checkpointing = null;
        this.fail(error);
      },
    );
  }

  /** FLUSH on every lane's connections covers every write already answered, i.e. the completed prefix. */
  private async flushAll(): Promise<void> {
    if (!this.lanes.length) return;
    const id = this.nextId++;
    const flushed = new Promise<void>((done) => this.flushWaits.set(id, { left: this.lanes.length, done }));
    for (const lane of this.lanes) this.post(lane, { type: 'flush', id });
    while (this.flushWaits.has(id) && !this.failure) await Promise.race([flushed, this.nextChange()]);
    if (this.failure)
      throw this.failure instanceof Error ? this.failure : new Error('copy failed', { cause: this.failure });
  }

  private report(): void {
    const progress = this.setup.meter.snapshot(this.setup.progressIntervalMs);
    if (progress) this.setup.onProgress?.(progress);
  }

  private post(lane: Lane, message: ToLane): void {
    if (lane.held) lane.held.push(message);
    else this.send(lane, message);
  }

  private send(lane: Lane, message: ToLane): void {
    // A lane that already exited is reported by its 'exit' event; one stopping may close its channel first.
    if (!lane.child.connected) return;
    lane.child.send(message, (error) => {
      if (error && this.lanes.includes(lane)) this.fail(error);
    });
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    const changed = this.changed;
    this.changed = null;
    changed?.();
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.changed;
      this.changed = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** Asks each lane to finish its requests in flight and close its connections; kills the ones that do not. */
  private async stopAll(): Promise<void> {
    const lanes = this.lanes.splice(0);
    for (const lane of lanes) this.post(lane, { type: 'stop', abort: this.failure !== null });
    // A lane stuck on a request a peer never answers is killed after a grace period.
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS).unref()));
    await Promise.race([Promise.all(lanes.map((l) => l.closed)), grace]);
    clearTimeout(timer);
    for (const lane of lanes)
      if (lane.child.exitCode === null && lane.child.signalCode === null) lane.child.kill('SIGKILL');
    await Promise.all(lanes.map((l) => l.closed));
  }
}
