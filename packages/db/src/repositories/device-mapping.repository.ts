// device_mappings: which Linux block device an attached CloudStack volume is, keyed by volume id.
import type { NewRow, Row } from '../schema';
import { affected, pageBounds, type Page, type Paging, type RepositoryDeps } from './repository-deps';
import { upsertOnKey } from './upsert';

export type DeviceMappingRecord = Row<'device_mappings'>;
export type DeviceMappingInput = Omit<NewRow<'device_mappings'>, 'created_at' | 'updated_at'>;

export interface DeviceMappingFilter {
  contextId?: string;
  vmId?: string;
}

export class DeviceMappingRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Inserts or replaces the mapping of one volume. */
  async upsert(input: DeviceMappingInput): Promise<DeviceMappingRecord> {
    const now = this.deps.clock.now();
    const { volume_id: _key, ...fields } = input;
    const changes = { ...fields, updated_at: now };
    const insert = this.deps.db.insertInto('device_mappings').values({ ...input, created_at: now, updated_at: now });
    await upsertOnKey(this.deps.engine, insert, 'volume_id', changes).execute();
    const row = await this.get(input.volume_id);
    if (row === undefined) throw new Error(`device mapping ${input.volume_id} vanished after upsert`);
    return row;
  }

  async get(volumeId: string): Promise<DeviceMappingRecord | undefined> {
    return this.deps.db.selectFrom('device_mappings').selectAll().where('volume_id', '=', volumeId).executeTakeFirst();
  }

  /** By volume id (the key), so pages are stable. */
  async list(filter: DeviceMappingFilter = {}, paging: Paging = {}): Promise<Page<DeviceMappingRecord>> {
    const { limit, offset } = pageBounds(paging);
    let query = this.deps.db.selectFrom('device_mappings');
    if (filter.contextId !== undefined) query = query.where('vm_context_id', '=', filter.contextId);
    if (filter.vmId !== undefined) query = query.where('vm_id', '=', filter.vmId);
    const [items, count] = await Promise.all([
      query.selectAll().orderBy('volume_id').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.total) };
  }

  async listByVm(vmId: string): Promise<DeviceMappingRecord[]> {
    return this.deps.db
      .selectFrom('device_mappings')
      .selectAll()
      .where('vm_id', '=', vmId)
      .orderBy('linux_device_path')
      .execute();
  }

  async listByContext(contextId: string): Promise<DeviceMappingRecord[]> {
    return this.deps.db
      .selectFrom('device_mappings')
      .selectAll()
      .where('vm_context_id', '=', contextId)
      .orderBy('volume_id')
      .execute();
  }

  async delete(volumeId: string): Promise<boolean> {
    const result = await this.deps.db
      .deleteFrom('device_mappings')
      .where('volume_id', '=', volumeId)
      .executeTakeFirst();
    return affected(result) === 1;
  }
}
