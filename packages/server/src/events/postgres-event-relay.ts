// Events across servers on PostgreSQL: NOTIFY on one channel, LISTEN on a dedicated connection that reconnects
// on its own. A NOTIFY payload is limited to 8000 bytes: an event whose envelope fits (nearly all: job,
// step and progress events are a few hundred bytes) travels inline; a larger one (a log line with big fields)
// is stored in server_events and only its id is sent, the receivers read the row. Received messages are
// handled one at a time so a fetched event never overtakes a later inline one.
import { PgNotificationListener } from '@migratekit/db';
import type { EventRelay, EventRelayDeps } from './event-relay';
import type { ServerEvent } from './event-types';
import {
  CROSS_SERVER_EVENT_TYPES,
  ProgressThrottle,
  decodeEnvelope,
  decodeEvent,
  encodeEnvelope,
  encodeEvent,
  encodeReference,
} from './event-wire';
import { OutboundQueue } from './outbound-queue';
import { pruneLoop } from './prune-loop';

export const EVENTS_CHANNEL = 'migratekit_events';
/** Largest inline payload: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const NOTIFY_PAYLOAD_LIMIT = 7_900;

export class PostgresEventRelay implements EventRelay {
  readonly mode = 'postgres-notify';
  private readonly listener: PgNotificationListener;
  private readonly outbound: OutboundQueue<ServerEvent>;
  private readonly throttle: ProgressThrottle;
  private readonly stopped = new AbortController();
  private inbound: Promise<void> = Promise.resolve();
  private inboundPending = 0;
  private pruning: Promise<void> | undefined;

  constructor(
    private readonly deps: EventRelayDeps,
    url: string,
  ) {
    const { clock, logger, timings } = deps;
    this.listener = new PgNotificationListener({
      url,
      channel: EVENTS_CHANNEL,
      applicationName: `migratekit-events ${deps.serverId}`.slice(0, 63),
      clock,
      reconnectDelayMs: timings.reconnectDelayMs,
      onNotification: (payload) => this.received(payload),
      onError: (error, retryInMs) =>
        logger.error({ err: error, retry_in_ms: retryInMs }, 'event relay: LISTEN connection failed, reconnecting'),
      onListening: () => logger.info({ channel: EVENTS_CHANNEL }, 'event relay: listening for other servers'),
    });
    this.outbound = new OutboundQueue({
      maxPending: timings.maxPendingEvents,
      batchSize: timings.sendBatchSize,
      send: (batch) => this.send(batch),
      onSendError: (error, lost) => logger.error({ err: error, lost }, 'event relay: could not notify other servers'),
      onDropped: (dropped) => logger.warn({ dropped }, 'event relay: send queue full, events dropped'),
    });
    this.throttle = new ProgressThrottle(timings.progressIntervalMs, () => clock.now().getTime());
  }

  get listening(): boolean {
    return this.listener.listening;
  }

  async start(): Promise<void> {
    await this.listener.start();
    this.pruning = pruneLoop(this.deps, this.stopped.signal);
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
    await this.pruning;
    await this.listener.close();
    await this.inbound;
  }

  private async send(batch: ServerEvent[]): Promise<void> {
    const { serverId, repositories } = this.deps;
    for (const event of batch) {
      const inline = encodeEnvelope(serverId, event);
      if (Buffer.byteLength(inline, 'utf8') <= NOTIFY_PAYLOAD_LIMIT) {
        await repositories.serverEvents.notify(EVENTS_CHANNEL, inline);
        continue;
      }
      const id = await repositories.serverEvents.append(serverId, event.type, encodeEvent(event));
      await repositories.serverEvents.notify(EVENTS_CHANNEL, encodeReference(serverId, id));
    }
  }

  private received(payload: string): void {
    if (this.inboundPending >= this.deps.timings.maxPendingEvents) {
      this.deps.logger.warn('event relay: receive queue full, an event from another server was dropped');
      return;
    }
    this.inboundPending += 1;
    this.inbound = this.inbound
      .then(() => this.handle(payload))
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'event relay: could not handle an event'))
      .finally(() => {
        this.inboundPending -= 1;
      });
  }

  private async handle(payload: string): Promise<void> {
    const envelope = decodeEnvelope(payload);
    if (envelope === undefined) {
      this.deps.logger.warn({ bytes: payload.length }, 'event relay: ignored an unknown message');
      return;
    }
    if (envelope.origin === this.deps.serverId) return; // our own, already delivered locally
    if ('event' in envelope) {
      this.deps.deliver(envelope.event);
      return;
    }
    const row = await this.deps.repositories.serverEvents.get(envelope.ref);
    const event = row === undefined ? undefined : decodeEvent(row.payload);
    if (event === undefined) {
      this.deps.logger.warn({ id: envelope.ref }, 'event relay: a referenced event is gone or unknown');
      return;
    }
    this.deps.deliver(event);
  }
}
