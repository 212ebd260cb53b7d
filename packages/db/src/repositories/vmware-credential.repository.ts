// vCenter credentials. `password` holds the server's sealed ciphertext; this layer never sees the clear value.
import type { NewRow, Row, RowUpdate } from '../schema';
import { insertExclusive, setExclusive, uniqueName } from './flagged-settings';
import { affected, type RepositoryDeps } from './repository-deps';

export type VmwareCredentialRow = Row<'vmware_credentials'>;
export type NewVmwareCredential = Omit<
  NewRow<'vmware_credentials'>,
  'created_at' | 'updated_at' | 'last_used' | 'usage_count'
>;
export type VmwareCredentialChanges = Omit<
  RowUpdate<'vmware_credentials'>,
  'id' | 'created_at' | 'updated_at' | 'is_default' | 'last_used' | 'usage_count'
>;

const LABEL = 'VMware credential';

export class VmwareCredentialRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Inserts the row; when it is the default, every other credential stops being the default. */
  async insert(credential: NewVmwareCredential): Promise<VmwareCredentialRow> {
    const now = this.deps.clock.now();
    await uniqueName(LABEL, credential.name, () =>
      insertExclusive(
        this.deps.db,
        'vmware_credentials',
        'is_default',
        {
          ...credential,
          last_used: null,
          usage_count: 0,
          created_at: now,
          updated_at: now,
        },
        now,
      ),
    );
    const row = await this.get(credential.id);
    if (row === undefined) throw new Error(`vmware credential ${credential.id} vanished after insert`);
    return row;
  }

  async get(id: string): Promise<VmwareCredentialRow | undefined> {
    return this.deps.db.selectFrom('vmware_credentials').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByName(name: string): Promise<VmwareCredentialRow | undefined> {
    return this.deps.db.selectFrom('vmware_credentials').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async getDefault(): Promise<VmwareCredentialRow | undefined> {
    return this.deps.db.selectFrom('vmware_credentials').selectAll().where('is_default', '=', true).executeTakeFirst();
  }

  async list(): Promise<VmwareCredentialRow[]> {
    return this.deps.db.selectFrom('vmware_credentials').selectAll().orderBy('name').execute();
  }

  async update(id: string, changes: VmwareCredentialChanges): Promise<VmwareCredentialRow | undefined> {
    await uniqueName(LABEL, changes.name, () =>
      this.deps.db
        .updateTable('vmware_credentials')
        .set({ ...changes, updated_at: this.deps.clock.now() })
        .where('id', '=', id)
        .execute(),
    );
    return this.get(id);
  }

  /** Makes this credential the only default, in one transaction; undefined when it does not exist. */
  async setDefault(id: string): Promise<VmwareCredentialRow | undefined> {
    const found = await setExclusive(this.deps.db, 'vmware_credentials', 'is_default', id, this.deps.clock.now());
    return found ? this.get(id) : undefined;
  }

  /** Counts a use (discovery, replication) for the usage fields. */
  async recordUse(id: string): Promise<void> {
    await this.deps.db
      .updateTable('vmware_credentials')
      .set((eb) => ({ usage_count: eb('usage_count', '+', 1), last_used: this.deps.clock.now() }))
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    return affected(await this.deps.db.deleteFrom('vmware_credentials').where('id', '=', id).executeTakeFirst()) > 0;
  }
}
