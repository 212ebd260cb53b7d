// CloudStack connection settings. `secret_key` holds the server's sealed ciphertext, never the clear value.
import { MigrateKitError } from '@migratekit/core';
import type { NewRow, Row, RowUpdate } from '../schema';
import { affected, isUniqueViolation, type RepositoryDeps } from './repository-deps';

export type CloudstackConfigRow = Row<'cloudstack_configs'>;
export type NewCloudstackConfig = Omit<NewRow<'cloudstack_configs'>, 'created_at' | 'updated_at'>;
export type CloudstackConfigChanges = Omit<
  RowUpdate<'cloudstack_configs'>,
  'id' | 'created_at' | 'updated_at' | 'is_active'
>;

function duplicate(name: string | undefined): MigrateKitError {
  return new MigrateKitError('MKE_DUPLICATE', {
    message: `A CloudStack configuration named ${name ?? ''} already exists`,
    field: 'body.name',
  });
}

export class CloudstackConfigRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Inserts the row; when it is active, every other configuration becomes inactive. */
  async insert(config: NewCloudstackConfig): Promise<CloudstackConfigRow> {
    const now = this.deps.clock.now();
    try {
      await this.deps.db.transaction().execute(async (tx) => {
        if (config.is_active) {
          await tx
            .updateTable('cloudstack_configs')
            .set({ is_active: false, updated_at: now })
            .where('is_active', '=', true)
            .execute();
        }
        await tx
          .insertInto('cloudstack_configs')
          .values({ ...config, created_at: now, updated_at: now })
          .execute();
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(config.name);
      throw error;
    }
    const row = await this.get(config.id);
    if (row === undefined) throw new Error(`cloudstack config ${config.id} vanished after insert`);
    return row;
  }

  async get(id: string): Promise<CloudstackConfigRow | undefined> {
    return this.deps.db.selectFrom('cloudstack_configs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByName(name: string): Promise<CloudstackConfigRow | undefined> {
    return this.deps.db.selectFrom('cloudstack_configs').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async getActive(): Promise<CloudstackConfigRow | undefined> {
    return this.deps.db
      .selectFrom('cloudstack_configs')
      .selectAll()
      .where('is_active', '=', true)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
  }

  async list(): Promise<CloudstackConfigRow[]> {
    return this.deps.db.selectFrom('cloudstack_configs').selectAll().orderBy('name').execute();
  }

  async update(id: string, changes: CloudstackConfigChanges): Promise<CloudstackConfigRow | undefined> {
    try {
      await this.deps.db
        .updateTable('cloudstack_configs')
        .set({ ...changes, updated_at: this.deps.clock.now() })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(changes.name);
      throw error;
    }
    return this.get(id);
  }

  /** Makes this configuration the only active one, in one transaction; undefined when it does not exist. */
  async activate(id: string): Promise<CloudstackConfigRow | undefined> {
    const now = this.deps.clock.now();
    const found = await this.deps.db.transaction().execute(async (tx) => {
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
    return affected(await this.deps.db.deleteFrom('cloudstack_configs').where('id', '=', id).executeTakeFirst()) > 0;
  }
}
