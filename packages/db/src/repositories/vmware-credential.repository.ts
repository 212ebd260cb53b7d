import type { Kysely } from 'kysely';
import type { DatabaseSchema, NewRow, Row, RowUpdate } from '../schema';

/** The stored row: `password` is the sealed ciphertext, never the clear password. */
export type VmwareCredentialRow = Row<'vmware_credentials'>;

export type VmwareCredentialChanges = Omit<RowUpdate<'vmware_credentials'>, 'id' | 'created_at' | 'is_default'>;

export class VmwareCredentialRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Inserts the row; when it is the default, every other credential stops being the default. */
  async insert(row: NewRow<'vmware_credentials'>): Promise<VmwareCredentialRow> {
    await this.db.transaction().execute(async (tx) => {
      if (row.is_default) await tx.updateTable('vmware_credentials').set({ is_default: false }).execute();
      await tx.insertInto('vmware_credentials').values(row).execute();
    });
    return this.getOrThrow(row.id);
  }

  async get(id: string): Promise<VmwareCredentialRow | undefined> {
    return this.db.selectFrom('vmware_credentials').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByName(name: string): Promise<VmwareCredentialRow | undefined> {
    return this.db.selectFrom('vmware_credentials').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async getDefault(): Promise<VmwareCredentialRow | undefined> {
    return this.db
      .selectFrom('vmware_credentials')
      .selectAll()
      .where('is_default', '=', true)
      .where('is_active', '=', true)
      .executeTakeFirst();
  }

  async list(): Promise<VmwareCredentialRow[]> {
    return this.db.selectFrom('vmware_credentials').selectAll().orderBy('name').execute();
  }

  async update(id: string, changes: VmwareCredentialChanges, now: Date): Promise<VmwareCredentialRow | undefined> {
    await this.db
      .updateTable('vmware_credentials')
      .set({ ...changes, updated_at: now })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  /** Makes this credential the only default, in one transaction. */
  async setDefault(id: string, now: Date): Promise<VmwareCredentialRow | undefined> {
    const found = await this.db.transaction().execute(async (tx) => {
      const exists = await tx.selectFrom('vmware_credentials').select('id').where('id', '=', id).executeTakeFirst();
      if (exists === undefined) return false;
      await tx
        .updateTable('vmware_credentials')
        .set({ is_default: false, updated_at: now })
        .where('id', '!=', id)
        .where('is_default', '=', true)
        .execute();
      await tx
        .updateTable('vmware_credentials')
        .set({ is_default: true, updated_at: now })
        .where('id', '=', id)
        .execute();
      return true;
    });
    return found ? this.get(id) : undefined;
  }

  /** Counts a use of the credential (discovery, replication) for the usage fields. */
  async recordUse(id: string, now: Date): Promise<void> {
    await this.db
      .updateTable('vmware_credentials')
      .set((eb) => ({ usage_count: eb('usage_count', '+', 1), last_used: now }))
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('vmware_credentials').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private async getOrThrow(id: string): Promise<VmwareCredentialRow> {
    const row = await this.get(id);
    if (row === undefined) throw new Error(`vmware credential ${id} vanished after insert`);
    return row;
  }
}
