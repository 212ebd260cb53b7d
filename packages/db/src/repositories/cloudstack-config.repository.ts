// CloudStack connection settings. `secret_key` holds the server's sealed ciphertext, never the clear value.
import type { NewRow, Row, RowUpdate } from '../schema';
import { insertExclusive, setExclusive, uniqueName } from './flagged-settings';
import { affected, type RepositoryDeps } from './repository-deps';

export type CloudstackConfigRow = Row<'cloudstack_configs'>;
export type NewCloudstackConfig = Omit<NewRow<'cloudstack_configs'>, 'created_at' | 'updated_at'>;
export type CloudstackConfigChanges = Omit<
  RowUpdate<'cloudstack_configs'>,
  'id' | 'created_at' | 'updated_at' | 'is_active'
>;

const LABEL = 'CloudStack configuration';

export class CloudstackConfigRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Inserts the row; when it is active, every other configuration becomes inactive. */
  async insert(config: NewCloudstackConfig): Promise<CloudstackConfigRow> {
    const now = this.deps.clock.now();
    await uniqueName(LABEL, config.name, () =>
      insertExclusive(
        this.deps.db,
        'cloudstack_configs',
        'is_active',
        { ...config, created_at: now, updated_at: now },
        now,
      ),
    );
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
    await uniqueName(LABEL, changes.name, () =>
      this.deps.db
        .updateTable('cloudstack_configs')
        .set({ ...changes, updated_at: this.deps.clock.now() })
        .where('id', '=', id)
        .execute(),
    );
    return this.get(id);
  }

  /** Makes this configuration the only active one, in one transaction; undefined when it does not exist. */
  async activate(id: string): Promise<CloudstackConfigRow | undefined> {
    const found = await setExclusive(this.deps.db, 'cloudstack_configs', 'is_active', id, this.deps.clock.now());
    return found ? this.get(id) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return affected(await this.deps.db.deleteFrom('cloudstack_configs').where('id', '=', id).executeTakeFirst()) > 0;
  }
}
