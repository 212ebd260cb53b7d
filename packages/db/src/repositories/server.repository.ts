// servers (docs/scale-out.md): one row per server process identity (MIGRATEKIT_SERVER_ID) with its addresses,
// its data mover (the CloudStack VM it runs in) and attachment slots, and a heartbeat lease. A server is live
// while its lease has not expired; the rows of dead servers stay for the operator to see until removed.
import type { Row } from '../schema';
import { affected, isUniqueViolation, type RepositoryDeps } from './repository-deps';

export type ServerRecord = Row<'servers'>;

export interface ServerRegistration {
  id: string;
  api_url: string | null;
  agent_url: string | null;
  /** SHA-256 of the agent listener's certificate; agents learn it to fail over (docs/scale-out.md). */
  agent_fingerprint: string | null;
  data_mover_vm_id: string | null;
  attachment_slots: number;
}

export class ServerRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Start-up: inserts or replaces the row of `server.id` with a fresh lease of `leaseMs`. */
  async register(server: ServerRegistration, leaseMs: number): Promise<ServerRecord> {
    const now = this.deps.clock.now();
    const lease = { heartbeat_at: now, lease_expires_at: new Date(now.getTime() + leaseMs) };
    try {
      await this.deps.db
        .insertInto('servers')
        .values({ ...server, started_at: now, ...lease })
        .execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const { id, ...rest } = server;
      await this.deps.db
        .updateTable('servers')
        .set({ ...rest, started_at: now, ...lease })
        .where('id', '=', id)
        .execute();
    }
    const row = await this.get(server.id);
    if (row === undefined) throw new Error(`server ${server.id} vanished after registration`);
    return row;
  }

  /** Renews the lease; false when the row is gone (removed by an operator): the caller registers again. */
  async heartbeat(id: string, leaseMs: number): Promise<boolean> {
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('servers')
      .set({ heartbeat_at: now, lease_expires_at: new Date(now.getTime() + leaseMs) })
      .where('id', '=', id)
      .executeTakeFirst();
    // MariaDB reports 0 affected rows when nothing changed; a heartbeat always moves the timestamps.
    return affected(result) > 0 || (await this.get(id)) !== undefined;
  }

  /** A clean stop: the lease ends now, so the server's leftovers are orphans at once. */
  async expire(id: string): Promise<void> {
    await this.deps.db
      .updateTable('servers')
      .set({ lease_expires_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  async get(id: string): Promise<ServerRecord | undefined> {
    return this.deps.db.selectFrom('servers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(): Promise<ServerRecord[]> {
    return this.deps.db.selectFrom('servers').selectAll().orderBy('id').execute();
  }

  /** Servers whose lease has not expired. */
  async listLive(): Promise<ServerRecord[]> {
    return this.deps.db
      .selectFrom('servers')
      .selectAll()
      .where('lease_expires_at', '>', this.deps.clock.now())
      .orderBy('id')
      .execute();
  }

  async remove(id: string): Promise<boolean> {
    return affected(await this.deps.db.deleteFrom('servers').where('id', '=', id).executeTakeFirst()) > 0;
  }
}
