// cloudstack_volumes: the CloudStack volumes that belong to a VM context. Written only by the volume daemon.
import { newId } from '@migratekit/core';
import { sql } from 'kysely';
import type { NewRow, Row, RowUpdate } from '../schema';
import { affected, pageBounds, type Page, type Paging, type RepositoryDeps } from './repository-deps';

export type VolumeMode = 'oma' | 'failover';
export type CloudstackVolumeRecord = Omit<Row<'cloudstack_volumes'>, 'mode'> & { mode: VolumeMode };
export type NewCloudstackVolume = Omit<NewRow<'cloudstack_volumes'>, 'id' | 'mode' | 'created_at' | 'updated_at'> & {
  id?: string;
  mode: VolumeMode;
};
export type CloudstackVolumePatch = Omit<
  RowUpdate<'cloudstack_volumes'>,
  'id' | 'vm_context_id' | 'volume_id' | 'mode' | 'created_at' | 'updated_at'
> & { mode?: VolumeMode };

export interface CloudstackVolumeFilter {
  contextId?: string;
  mode?: VolumeMode;
  /** The CloudStack VM the volume is attached to (the server VM for replication volumes). */
  attachedVmId?: string;
}

const toRecord = (row: Row<'cloudstack_volumes'>): CloudstackVolumeRecord => row as CloudstackVolumeRecord;

export class CloudstackVolumeRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(input: NewCloudstackVolume): Promise<CloudstackVolumeRecord> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('cloudstack_volumes')
      .values({ ...input, id: input.id ?? newId('csvol'), created_at: now, updated_at: now })
      .execute();
    const created = await this.getByVolumeId(input.volume_id);
    if (created === undefined) throw new Error(`volume ${input.volume_id} vanished after insert`);
    return created;
  }

  async getByVolumeId(volumeId: string): Promise<CloudstackVolumeRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('cloudstack_volumes')
      .selectAll()
      .where('volume_id', '=', volumeId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async listByContext(contextId: string): Promise<CloudstackVolumeRecord[]> {
    const rows = await this.deps.db
      .selectFrom('cloudstack_volumes')
      .selectAll()
      .where('vm_context_id', '=', contextId)
      .orderBy('disk_id')
      .orderBy('created_at')
      .execute();
    return rows.map(toRecord);
  }

  /** By context, then disk; NULL disk ids last on every engine (the engines disagree by default). */
  async list(filter: CloudstackVolumeFilter = {}, paging: Paging = {}): Promise<Page<CloudstackVolumeRecord>> {
    const { limit, offset } = pageBounds(paging);
    let query = this.deps.db.selectFrom('cloudstack_volumes');
    if (filter.contextId !== undefined) query = query.where('vm_context_id', '=', filter.contextId);
    if (filter.mode !== undefined) query = query.where('mode', '=', filter.mode);
    if (filter.attachedVmId !== undefined) query = query.where('attached_vm_id', '=', filter.attachedVmId);
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('vm_context_id')
        .orderBy(sql`${sql.ref('disk_id')} is null`)
        .orderBy('disk_id')
        .orderBy('created_at')
        .orderBy('volume_id')
        .limit(limit)
        .offset(offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toRecord), total: Number(count.total) };
  }

  async listAttachedTo(vmId: string): Promise<CloudstackVolumeRecord[]> {
    const rows = await this.deps.db
      .selectFrom('cloudstack_volumes')
      .selectAll()
      .where('attached_vm_id', '=', vmId)
      .orderBy('device_id')
      .execute();
    return rows.map(toRecord);
  }

  /**
   * How many volumes each of `vmIds` holds attached, in one grouped query (mover placement compares the data
   * movers' free slots, docs/scale-out.md#data-movers). A VM holding none is absent from the map.
   */
  async countAttachedByVm(vmIds: readonly string[]): Promise<Map<string, number>> {
    if (vmIds.length === 0) return new Map();
    const rows = await this.deps.db
      .selectFrom('cloudstack_volumes')
      .select((eb) => ['attached_vm_id', eb.fn.countAll<number | string>().as('attached')])
      .where('attached_vm_id', 'in', [...vmIds])
      .groupBy('attached_vm_id')
      .execute();
    const counts = new Map<string, number>();
    for (const row of rows) if (row.attached_vm_id !== null) counts.set(row.attached_vm_id, Number(row.attached));
    return counts;
  }

  async update(volumeId: string, patch: CloudstackVolumePatch): Promise<CloudstackVolumeRecord | undefined> {
    await this.deps.db
      .updateTable('cloudstack_volumes')
      .set({ ...patch, updated_at: this.deps.clock.now() })
      .where('volume_id', '=', volumeId)
      .execute();
    return this.getByVolumeId(volumeId);
  }

  async delete(volumeId: string): Promise<boolean> {
    const result = await this.deps.db
      .deleteFrom('cloudstack_volumes')
      .where('volume_id', '=', volumeId)
      .executeTakeFirst();
    return affected(result) === 1;
  }
}
