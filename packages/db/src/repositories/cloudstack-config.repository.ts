import type { Kysely } from 'kysely';
import type { DatabaseSchema, NewRow, Row, RowUpdate } from '../schema';

/** The stored row: `secret_key` is the sealed ciphertext, never the clear secret. */
export type CloudstackConfigRow = Row<'cloudstack_configs'>;

export type CloudstackConfigChanges = Omit<RowUpdate<'cloudstack_configs'>, 'id' | 'created_at' | 'is_active'>;

export class CloudstackConfigRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Inserts the row; when it is active, every other configuration becomes inactive. */
  async insert(row: NewRow<'cloudstack_configs'>): Promise<CloudstackConfigRow> {
    await this.db.transaction().execute(async (tx) => {
      if (row.is_active) await tx.updateTable('cloudstack_configs').set({ is_active: false }).execute();
      await tx.insertInto('cloudstack_configs').values(row).execute();
    });
    const inserted = await this.get(row.id);
    if (inserted === undefined) throw new Error(`cloudstack config ${row.id} vanished after insert`);
    return inserted;
  }

  async get(id: string): Promise<CloudstackConfigRow | undefined> {
    return this.db.selectFrom('cloudstack_configs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByName(name: string): Promise<CloudstackConfigRow | undefined> {
    return this.db.selectFrom('cloudstack_configs').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async getActive(): Promise<CloudstackConfigRow | undefined> {
    return this.db
      .selectFrom('cloudstack_configs')
      .selectAll()
      .where('is_active', '=', true)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
  }

  async list(): Promise<CloudstackConfigRow[]> {
    return this.db.selectFrom('cloudstack_configs').selectAll().orderBy('name').execute();
  }

  async update(id: string, changes: CloudstackConfigChanges, now: Date): Promise<CloudstackConfigRow | undefined> {
    await this.db
      .updateTable('cloudstack_configs')
      .set({ ...changes, updated_at: now })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  /** Makes this configuration the only active one, in one transaction. */
  async activate(id: string, now: Date): Promise<CloudstackConfigRow | undefined> {
    const found = await this.db.transaction().execute(async (tx) => {
      const exists = await tx.selectFrom('cloudstack_configs').select('id').where('id', '=', id).executeTakeFirst();
      if (exists === undefined) return false;
      await tx
        .updateTable('cloudstack_configs')
        .set({ is_active: false, updated_at: now })
        .where('id', '!=', id)
        .where('is_active', '=', true)
        .execute();
      await tx
        .updateTable('cloudstack_configs')
        .set({ is_active: true, updated_at: now })
        .where('id', '=', id)
        .execute();
      return true;
    });
    return found ? this.get(id) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('cloudstack_configs').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
