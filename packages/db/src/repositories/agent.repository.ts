// Source-side agents: identity (certificate fingerprint), liveness (status, last_seen), scope, and the server
// whose listener holds each agent's link (docs/scale-out.md).
import type { NewRow, Row, RowUpdate } from '../schema';
import { affected, fromJson, toJson, type RepositoryDeps } from './repository-deps';

export type AgentRow = Row<'agents'>;

export interface AgentRecord extends Omit<AgentRow, 'scope'> {
  /** The vCenter hosts this agent serves. */
  scope: string[];
}

export type NewAgent = Omit<NewRow<'agents'>, 'created_at' | 'updated_at' | 'scope'> & { scope?: string[] };
export type AgentChanges = Omit<RowUpdate<'agents'>, 'id' | 'created_at' | 'updated_at' | 'scope'> & {
  scope?: string[];
};

function toRecord(row: AgentRow): AgentRecord {
  return { ...row, scope: fromJson<string[]>(row.scope) ?? [] };
}

export class AgentRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async insert(agent: NewAgent): Promise<AgentRecord> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('agents')
      .values({ ...agent, scope: toJson(agent.scope ?? []), created_at: now, updated_at: now })
      .execute();
    const inserted = await this.get(agent.id);
    if (inserted === undefined) throw new Error(`agent ${agent.id} vanished after insert`);
    return inserted;
  }

  async get(id: string): Promise<AgentRecord | undefined> {
    const row = await this.deps.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async getByFingerprint(fingerprint: string): Promise<AgentRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('agents')
      .selectAll()
      .where('certificate_fingerprint', '=', fingerprint)
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async list(): Promise<AgentRecord[]> {
    return (await this.deps.db.selectFrom('agents').selectAll().orderBy('name').execute()).map(toRecord);
  }

  async update(id: string, changes: AgentChanges): Promise<AgentRecord | undefined> {
    const { scope, ...rest } = changes;
    await this.deps.db
      .updateTable('agents')
      .set({ ...rest, ...(scope === undefined ? {} : { scope: toJson(scope) }), updated_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  /** Records a heartbeat: status and last_seen move together. */
  async markSeen(id: string, status: string): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db
      .updateTable('agents')
      .set({ status, last_seen: now, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Which server's listener holds the agent's link now (null: none); the routing of docs/scale-out.md. */
  async setServer(id: string, serverId: string | null): Promise<void> {
    await this.deps.db
      .updateTable('agents')
      .set({ server_id: serverId, updated_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  /** Clears the link of a server's agents only if it still holds them (a reconnect elsewhere wins). */
  async clearServer(id: string, serverId: string): Promise<void> {
    await this.deps.db
      .updateTable('agents')
      .set({ server_id: null, updated_at: this.deps.clock.now() })
      .where('id', '=', id)
      .where('server_id', '=', serverId)
      .execute();
  }

  /** Agents whose link ends on a live server (its lease in `servers` has not expired). */
  async listReachable(): Promise<AgentRecord[]> {
    const rows = await this.deps.db
      .selectFrom('agents')
      .innerJoin('servers', 'servers.id', 'agents.server_id')
      .selectAll('agents')
      .where('servers.lease_expires_at', '>', this.deps.clock.now())
      .orderBy('agents.name')
      .execute();
    return rows.map(toRecord);
  }

  async delete(id: string): Promise<boolean> {
    return affected(await this.deps.db.deleteFrom('agents').where('id', '=', id).executeTakeFirst()) > 0;
  }
}
