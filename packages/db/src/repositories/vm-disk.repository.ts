// vm_disks: one row per disk per replication job, an audit trail of the VM's disks and spec over time.
import { newId } from '@migratekit/core';
import type { NewRow, Row, RowUpdate } from '../schema';
import { fromJson, toJson, type RepositoryDeps } from './repository-deps';

export interface VmNic {
  key?: string;
  label?: string;
  network_name: string;
  mac_address?: string;
  adapter_type?: string;
  connected?: boolean;
}

export type VmDiskRecord = Omit<Row<'vm_disks'>, 'nics'> & { nics: VmNic[] | null };
export type NewVmDisk = Omit<NewRow<'vm_disks'>, 'id' | 'nics' | 'created_at' | 'updated_at'> & {
  id?: string;
  nics?: VmNic[] | null;
};
export type VmDiskPatch = Omit<
  RowUpdate<'vm_disks'>,
  'id' | 'vm_context_id' | 'job_id' | 'disk_id' | 'nics' | 'created_at' | 'updated_at'
>;

const toRecord = (row: Row<'vm_disks'>): VmDiskRecord => ({ ...row, nics: fromJson<VmNic[]>(row.nics) });

/** A managed VM's NICs from its most recent disk row (Add to Management or the latest replication). */
export interface ContextNics {
  vm_context_id: string;
  vm_name: string;
  current_status: string;
  nics: VmNic[];
}

export class VmDiskRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(input: NewVmDisk): Promise<VmDiskRecord> {
    const now = this.deps.clock.now();
    const id = input.id ?? newId('disk');
    await this.deps.db
      .insertInto('vm_disks')
      .values({ ...input, id, nics: toJson(input.nics), created_at: now, updated_at: now })
      .execute();
    const row = await this.deps.db.selectFrom('vm_disks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async get(id: string): Promise<VmDiskRecord | undefined> {
    const row = await this.deps.db.selectFrom('vm_disks').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async listByJob(jobId: string): Promise<VmDiskRecord[]> {
    const rows = await this.deps.db
      .selectFrom('vm_disks')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('disk_id')
      .execute();
    return rows.map(toRecord);
  }

  async listByContext(contextId: string): Promise<VmDiskRecord[]> {
    const rows = await this.deps.db
      .selectFrom('vm_disks')
      .selectAll()
      .where('vm_context_id', '=', contextId)
      .orderBy('created_at')
      .orderBy('disk_id')
      .execute();
    return rows.map(toRecord);
  }

  /** The most recent row of each disk of a context: the current view of its disks. */
  async listLatestByContext(contextId: string): Promise<VmDiskRecord[]> {
    const rows = await this.listByContext(contextId);
    const latest = new Map<string, VmDiskRecord>();
    for (const row of rows) latest.set(row.disk_id, row);
    return [...latest.values()].sort((a, b) => a.disk_id.localeCompare(b.disk_id));
  }

  /**
   * The latest recorded NICs of every managed VM (or of the listed contexts) in one query, ordered by VM name:
   * network mapping reads source networks from here, never from names it made up.
   */
  async latestNicsByContext(contextIds?: readonly string[]): Promise<ContextNics[]> {
    let query = this.deps.db
      .selectFrom('vm_disks')
      .innerJoin('vm_replication_contexts', 'vm_replication_contexts.context_id', 'vm_disks.vm_context_id')
      .select([
        'vm_disks.vm_context_id',
        'vm_disks.nics',
        'vm_replication_contexts.vm_name',
        'vm_replication_contexts.current_status',
      ])
      .where('vm_disks.nics', 'is not', null);
    if (contextIds !== undefined) {
      if (contextIds.length === 0) return [];
      query = query.where('vm_disks.vm_context_id', 'in', [...contextIds]);
    }
    const rows = await query.orderBy('vm_disks.created_at').orderBy('vm_disks.id').execute();
    const latest = new Map<string, ContextNics>();
    for (const row of rows)
      latest.set(row.vm_context_id, {
        vm_context_id: row.vm_context_id,
        vm_name: row.vm_name,
        current_status: row.current_status,
        nics: fromJson<VmNic[]>(row.nics) ?? [],
      });
    return [...latest.values()].sort(
      (a, b) => a.vm_name.localeCompare(b.vm_name) || a.vm_context_id.localeCompare(b.vm_context_id),
    );
  }

  /** Per context, the summed capacity of its current disks (the latest row of each disk), for a VM list. */
  async capacityByContext(contextIds: readonly string[]): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    if (contextIds.length === 0) return totals;
    const rows = await this.deps.db
      .selectFrom('vm_disks')
      .select(['vm_context_id', 'disk_id', 'capacity_bytes'])
      .where('vm_context_id', 'in', [...contextIds])
      .orderBy('created_at')
      .orderBy('disk_id')
      .execute();
    // Later rows replace earlier ones of the same disk, as in listLatestByContext.
    const latest = new Map<string, number>();
    for (const row of rows) latest.set(`${row.vm_context_id}\u0000${row.disk_id}`, Number(row.capacity_bytes));
    for (const [key, bytes] of latest) {
      const contextId = key.slice(0, key.indexOf('\u0000'));
      totals.set(contextId, (totals.get(contextId) ?? 0) + bytes);
    }
    return totals;
  }

  async update(id: string, patch: VmDiskPatch): Promise<VmDiskRecord | undefined> {
    await this.deps.db
      .updateTable('vm_disks')
      .set({ ...patch, updated_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }
}
