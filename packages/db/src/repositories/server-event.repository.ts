// server_events (docs/scale-out.md#events-across-servers): the events one server publishes for the other servers
// sharing the database. MariaDB servers poll it by id; PostgreSQL servers keep here only the events too large
// for a NOTIFY payload. Reads and deletes are bounded by a batch size so no call loads an unbounded backlog.
import { sql } from 'kysely';
import type { RepositoryDeps } from './repository-deps';

export interface ServerEventRow {
  id: number;
  origin: string;
  event_type: string;
  /** The event as JSON text. */
  payload: string;
  created_at: Date;
}

export class ServerEventRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Stores one event; returns its id. */
  async append(origin: string, eventType: string, payload: string): Promise<number> {
    const row = { origin, event_type: eventType, payload, created_at: this.deps.clock.now() };
    const insert = this.deps.db.insertInto('server_events').values(row);
    // MariaDB has no INSERT ... RETURNING; its driver reports the auto-increment id instead.
    return this.deps.engine === 'mysql'
      ? Number((await insert.executeTakeFirstOrThrow()).insertId)
      : Number((await insert.returning('id').executeTakeFirstOrThrow()).id);
  }

  /** Stores several events in one statement, in order. */
  async appendMany(origin: string, events: ReadonlyArray<{ eventType: string; payload: string }>): Promise<void> {
    if (events.length === 0) return;
    const created_at = this.deps.clock.now();
    await this.deps.db
      .insertInto('server_events')
      .values(events.map((e) => ({ origin, event_type: e.eventType, payload: e.payload, created_at })))
      .execute();
  }

  /** Up to `limit` events with an id above `afterId`, oldest first. */
  async listAfter(afterId: number, limit: number): Promise<ServerEventRow[]> {
    return this.deps.db
      .selectFrom('server_events')
      .select(['id', 'origin', 'event_type', 'payload', 'created_at'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  async get(id: number): Promise<ServerEventRow | undefined> {
    return this.deps.db
      .selectFrom('server_events')
      .select(['id', 'origin', 'event_type', 'payload', 'created_at'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The highest id stored, 0 when the table is empty: where a server that just started begins reading. */
  async latestId(): Promise<number> {
    const row = await this.deps.db
      .selectFrom('server_events')
      .select((eb) => eb.fn.max('id').as('latest'))
      .executeTakeFirst();
    return Number(row?.latest ?? 0);
  }

  /** Deletes up to `limit` of the oldest events written before `cutoff`; returns how many went. */
  async pruneBefore(cutoff: Date, limit: number): Promise<number> {
    const oldest = await this.deps.db
      .selectFrom('server_events')
      .select('id')
      .where('created_at', '<', cutoff)
      .orderBy('id')
      .limit(limit)
      .execute();
    const last = oldest.at(-1);
    if (last === undefined) return 0;
    const result = await this.deps.db
      .deleteFrom('server_events')
      .where('id', '<=', last.id)
      .where('created_at', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** PostgreSQL only: NOTIFY `channel` with `payload` (at most 8000 bytes, the server's limit). */
  async notify(channel: string, payload: string): Promise<void> {
    if (this.deps.engine !== 'postgres') throw new Error(`NOTIFY needs PostgreSQL, not ${this.deps.engine}`);
    await sql`select pg_notify(${channel}, ${payload})`.execute(this.deps.db);
  }
}
