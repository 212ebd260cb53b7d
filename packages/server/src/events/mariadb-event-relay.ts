// Events across servers on MariaDB (no LISTEN/NOTIFY): each server appends the events it publishes to
// server_events and reads the others' rows every pollIntervalMs, a bounded batch at a time, from the highest
// id it has read. An auto-increment id can become visible after a higher one (two inserts committing out of
// order), so the read position stops at a hole and re-reads past it until the hole fills or gapGraceMs has
// passed; rows read past the hole are remembered so none is delivered twice.
import type { ServerEventRow } from '@migratekit/db';
import type { EventRelay, EventRelayDeps } from './event-relay';
import type { ServerEvent } from './event-types';
import { CROSS_SERVER_EVENT_TYPES, ProgressThrottle, decodeEvent, encodeEvent } from './event-wire';
import { OutboundQueue } from './outbound-queue';
import { pruneLoop } from './prune-loop';

export class MariadbEventRelay implements EventRelay {
  readonly mode = 'mariadb-poll';
  private readonly outbound: OutboundQueue<ServerEvent>;
  private readonly throttle: ProgressThrottle;
  private readonly stopped = new AbortController();
  private loops: Promise<unknown> | undefined;
  /** Every id up to here was read. */
  private cursor = 0;
  /** Ids above the cursor already read (beyond a hole). */
  private readonly ahead = new Set<number>();
  /** Since when the hole right after the cursor has been open (clock ms). */
  private holeSince: number | undefined;

  constructor(private readonly deps: EventRelayDeps) {
    const { clock, logger, timings } = deps;
    this.outbound = new OutboundQueue({
      maxPending: timings.maxPendingEvents,
      batchSize: timings.sendBatchSize,
      send: (batch) =>
        deps.repositories.serverEvents.appendMany(
          deps.serverId,
          batch.map((event) => ({ eventType: event.type, payload: encodeEvent(event) })),
        ),
      onSendError: (error, lost) => logger.error({ err: error, lost }, 'event relay: could not store events'),
      onDropped: (dropped) => logger.warn({ dropped }, 'event relay: send queue full, events dropped'),
    });
    this.throttle = new ProgressThrottle(timings.progressIntervalMs, () => clock.now().getTime());
  }

  /** Starts after the newest stored event: a server that starts does not replay the past. */
  async start(): Promise<void> {
    this.cursor = await this.deps.repositories.serverEvents.latestId();
    this.loops = Promise.all([this.pollLoop(), pruneLoop(this.deps, this.stopped.signal)]);
  }

  forward(event: ServerEvent): void {
    if (!CROSS_SERVER_EVENT_TYPES.has(event.type) || !this.throttle.admits(event)) return;
    this.outbound.push(event);
  }

  /** Resolves once every event forwarded so far was written to the database. */
  sent(): Promise<void> {
    return this.outbound.idle();
  }

  async close(): Promise<void> {
    await this.outbound.idle();
    this.stopped.abort();
    await this.loops;
  }

  /** Reads and delivers one batch; returns how many rows it read (tests drive it directly). */
  async pollOnce(): Promise<number> {
    const { repositories, timings, serverId } = this.deps;
    const rows = await repositories.serverEvents.listAfter(this.cursor, timings.pollBatchSize);
    for (const row of rows) {
      if (this.ahead.has(row.id)) continue;
      this.ahead.add(row.id);
      if (row.origin === serverId) continue; // our own, already delivered locally
      this.deliverRow(row);
    }
    this.advance();
    return rows.length;
  }

  /** One bad row is logged and skipped; it does not hold up the rows after it. */
  private deliverRow(row: ServerEventRow): void {
    let event: ServerEvent | undefined;
    try {
      event = decodeEvent(row.payload);
    } catch (error) {
      this.deps.logger.error({ err: error, id: row.id }, 'event relay: could not read an event of another server');
      return;
    }
    if (event === undefined)
      this.deps.logger.warn({ id: row.id, type: row.event_type }, 'event relay: ignored an unknown event');
    else this.deps.deliver(event);
  }

  private advance(): void {
    this.consumeContiguous();
    if (this.ahead.size === 0) {
      this.holeSince = undefined;
      return;
    }
    const now = this.deps.clock.now().getTime();
    this.holeSince ??= now;
    if (now - this.holeSince < this.deps.timings.gapGraceMs) return;
    // The hole stayed open (a rolled-back insert, or an id step above 1): move past it.
    this.cursor = Math.min(...this.ahead) - 1;
    this.consumeContiguous();
    this.holeSince = this.ahead.size === 0 ? undefined : now;
  }

  private consumeContiguous(): void {
    while (this.ahead.delete(this.cursor + 1)) this.cursor += 1;
  }

  private async pollLoop(): Promise<void> {
    const { clock, logger, timings } = this.deps;
    while (!this.stopped.signal.aborted) {
      try {
        await clock.sleep(timings.pollIntervalMs, this.stopped.signal);
      } catch {
        return; // closed
      }
      try {
        // A full batch that moved the read position means more are waiting: read on without sleeping.
        for (;;) {
          const before = this.cursor;
          const read = await this.pollOnce();
          if (read < timings.pollBatchSize || this.cursor === before || this.stopped.signal.aborted) break;
        }
      } catch (error) {
        logger.error({ err: error }, 'event relay: could not read events of other servers');
      }
    }
  }
}
