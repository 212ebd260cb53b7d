import type { Kysely } from 'kysely';
import type { DatabaseSchema, NewRow, Row, RowUpdate } from '../schema';

export type AgentRow = Row<'agents'>;
export type AgentChanges = Omit<RowUpdate<'agents'>, 'id' | 'created_at'>;

export class AgentRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(row: NewRow<'agents'>): Promise<AgentRow> {
    await this.db.insertInto('agents').values(row).execute();
    const inserted = await this.get(row.id);
    if (inserted === undefined) throw new Error(`agent ${row.id} vanished after insert`);
    return inserted;
  }

  async get(id: string): Promise<AgentRow | undefined> {
    return this.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByFingerprint(fingerprint: string): Promise<AgentRow | undefined> {
    return this.db
      .selectFrom('agents')
      .selectAll()
      .where('certificate_fingerprint', '=', fingerprint)
      .executeTakeFirst();
  }

  async list(): Promise<AgentRow[]> {
    return this.db.selectFrom('agents').selectAll().orderBy('name').execute();
  }

  async update(id: string, changes: AgentChanges, now: Date): Promise<AgentRow | undefined> {
    await this.db
      .updateTable('agents')
      .set({ ...changes, updated_at: now })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  /** Records a heartbeat: status and last_seen move together. */
  async markSeen(id: string, status: string, now: Date): Promise<void> {
    await this.db.updateTable('agents').set({ status, last_seen: now, updated_at: now }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('agents').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
