// The event relay (docs/scale-out.md#events-across-servers): sends the live-stream events this server publishes
// to the other servers sharing the database and delivers theirs to this server's stream. PostgreSQL uses
// LISTEN/NOTIFY, MariaDB a polled table, SQLite (one server) nothing. Built by the composition root; the event
// bus forwards to it, it delivers with EventBus.deliverRemote, and a server skips its own events coming back.
import type { Clock } from '@migratekit/core';
import type { DatabaseEngine, Repositories } from '@migratekit/db';
import type { Logger } from 'pino';
import type { ServerEvent } from './event-types';
import { MariadbEventRelay } from './mariadb-event-relay';
import { PostgresEventRelay } from './postgres-event-relay';

export interface EventRelay {
  readonly mode: 'in-process' | 'postgres-notify' | 'mariadb-poll';
  /** Starts receiving the other servers' events. */
  start(): Promise<void>;
  /** Queues one event of this server for the others; never throws (failures are logged). */
  forward(event: ServerEvent): void;
  /** Sends what is queued, stops receiving and closes its connection. */
  close(): Promise<void>;
}

/** Relay tunables with production defaults; tests shorten the intervals. */
export interface EventRelayTimings {
  /** MariaDB: how often a server reads the other servers' events (its stream's added latency). */
  pollIntervalMs: number;
  /** MariaDB: most events one poll reads. */
  pollBatchSize: number;
  /** MariaDB: how long a hole in the ids (an insert not committed yet) is waited for before it is skipped. */
  gapGraceMs: number;
  /** How long server_events rows are kept, and how often and how many at a time old ones are deleted. */
  retentionMs: number;
  pruneIntervalMs: number;
  pruneBatchSize: number;
  /** At most one replication.progress per job per interval crosses to the other servers (0 = all). */
  progressIntervalMs: number;
  /** Events waiting to be sent (or, on PostgreSQL, fetched) before new ones are dropped and counted. */
  maxPendingEvents: number;
  /** Events sent per write: MariaDB inserts them in one statement. */
  sendBatchSize: number;
  /** PostgreSQL: first delay before the LISTEN connection reconnects (doubles up to 30 s). */
  reconnectDelayMs: number;
}

export const DEFAULT_EVENT_RELAY_TIMINGS: EventRelayTimings = {
  pollIntervalMs: 500,
  pollBatchSize: 500,
  gapGraceMs: 5_000,
  retentionMs: 10 * 60_000,
  pruneIntervalMs: 60_000,
  pruneBatchSize: 1_000,
  progressIntervalMs: 1_000,
  maxPendingEvents: 10_000,
  sendBatchSize: 100,
  reconnectDelayMs: 1_000,
};

export interface EventRelayDeps {
  /** This server's id (MIGRATEKIT_SERVER_ID): stamped on what it sends, skipped in what it receives. */
  serverId: string;
  repositories: Repositories;
  clock: Clock;
  logger: Logger;
  /** Hands a received event to this server's subscribers (EventBus.deliverRemote). */
  deliver: (event: ServerEvent) => void;
  timings: EventRelayTimings;
}

/** One server on SQLite: its events only ever reach its own stream. */
export const inProcessRelay: EventRelay = {
  mode: 'in-process',
  start: () => Promise.resolve(),
  forward: () => undefined,
  close: () => Promise.resolve(),
};

export function createEventRelay(
  engine: DatabaseEngine,
  databaseUrl: string | undefined,
  deps: EventRelayDeps,
): EventRelay {
  switch (engine) {
    case 'sqlite':
      return inProcessRelay;
    case 'mysql':
      return new MariadbEventRelay(deps);
    case 'postgres':
      if (databaseUrl !== undefined) return new PostgresEventRelay(deps, databaseUrl);
      // Only compositions built without a URL (tests on a handle) get here: a server always has one.
      deps.logger.warn('no database URL for the LISTEN connection: events stay on this server');
      return inProcessRelay;
  }
}
