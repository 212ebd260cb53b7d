// volume_operations: every create/attach/detach/delete/snapshot/revert the volume daemon performs, with the
// request and the CloudStack response, so a half-done operation can be found and finished or cleaned up.
import {
  newId,
  UNFINISHED_VOLUME_OPERATION_STATUSES,
  volumeOperationStatuses,
  type VolumeOperationStatus,
} from '@migratekit/core';
import type { Row } from '../schema';
import { affected, fromJson, pageBounds, toJson, type Page, type Paging, type RepositoryDeps } from './repository-deps';

export type VolumeOperationType = 'create' | 'attach' | 'detach' | 'delete' | 'snapshot' | 'revert';
// The statuses come from the catalogue in @migratekit/core (docs/statuses.md).
export type { VolumeOperationStatus };

export type VolumeOperationRecord = Omit<Row<'volume_operations'>, 'type' | 'status' | 'request' | 'response'> & {
  type: VolumeOperationType;
  status: VolumeOperationStatus;
  request: Record<string, unknown> | null;
  response: Record<string, unknown> | null;
};

export interface NewVolumeOperation {
  id?: string;
  vm_context_id?: string | null;
  type: VolumeOperationType;
  status?: VolumeOperationStatus;
  volume_id?: string | null;
  vm_id?: string | null;
  request?: Record<string, unknown> | null;
}

export interface VolumeOperationFilter {
  contextId?: string;
  volumeId?: string;
  status?: VolumeOperationStatus;
  type?: VolumeOperationType;
}

const toRecord = (row: Row<'volume_operations'>): VolumeOperationRecord => ({
  ...(row as Omit<VolumeOperationRecord, 'request' | 'response'>),
  request: fromJson<Record<string, unknown>>(row.request),
  response: fromJson<Record<string, unknown>>(row.response),
});

export class VolumeOperationRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(input: NewVolumeOperation): Promise<VolumeOperationRecord> {
    const now = this.deps.clock.now();
    const id = input.id ?? newId('volop');
    await this.deps.db
      .insertInto('volume_operations')
      .values({
        id,
        vm_context_id: input.vm_context_id ?? null,
        type: input.type,
        status: input.status ?? 'pending',
        volume_id: input.volume_id ?? null,
        vm_id: input.vm_id ?? null,
        request: toJson(input.request),
        response: null,
        error: null,
        created_at: now,
        updated_at: now,
        completed_at: null,
      })
      .execute();
    return this.require(id);
  }

  async get(id: string): Promise<VolumeOperationRecord | undefined> {
    const row = await this.deps.db.selectFrom('volume_operations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  private async require(id: string): Promise<VolumeOperationRecord> {
    const operation = await this.get(id);
    if (operation === undefined) throw new Error(`volume operation ${id} vanished`);
    return operation;
  }

  async markExecuting(id: string): Promise<boolean> {
    const result = await this.deps.db
      .updateTable('volume_operations')
      .set({ status: 'executing', updated_at: this.deps.clock.now() })
      .where('id', '=', id)
      .where('status', 'in', volumeOperationStatuses.allowedSources('executing'))
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Sets the volume id once CloudStack has assigned one (create). */
  async setVolumeId(id: string, volumeId: string): Promise<void> {
    await this.deps.db
      .updateTable('volume_operations')
      .set({ volume_id: volumeId, updated_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  async complete(id: string, response: Record<string, unknown> | null = null): Promise<VolumeOperationRecord> {
    const now = this.deps.clock.now();
    await this.deps.db
      .updateTable('volume_operations')
      .set({ status: 'completed', response: toJson(response), updated_at: now, completed_at: now })
      .where('id', '=', id)
      .execute();
    return this.require(id);
  }

  async fail(
    id: string,
    error: string,
    response: Record<string, unknown> | null = null,
  ): Promise<VolumeOperationRecord> {
    const now = this.deps.clock.now();
    await this.deps.db
      .updateTable('volume_operations')
      .set({ status: 'failed', error, response: toJson(response), updated_at: now, completed_at: now })
      .where('id', '=', id)
      .execute();
    return this.require(id);
  }

  async listByVolume(volumeId: string): Promise<VolumeOperationRecord[]> {
    const rows = await this.deps.db
      .selectFrom('volume_operations')
      .selectAll()
      .where('volume_id', '=', volumeId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  /**
   * Newest first. Reads the operation rows alone, so operations whose volume row is gone (deleted volumes,
   * creates that failed before CloudStack assigned an id) are listed too.
   */
  async list(filter: VolumeOperationFilter = {}, paging: Paging = {}): Promise<Page<VolumeOperationRecord>> {
    const { limit, offset } = pageBounds(paging);
    let query = this.deps.db.selectFrom('volume_operations');
    if (filter.contextId !== undefined) query = query.where('vm_context_id', '=', filter.contextId);
    if (filter.volumeId !== undefined) query = query.where('volume_id', '=', filter.volumeId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toRecord), total: Number(count.total) };
  }

  /** Operations not finished: what a restarted daemon must reconcile. */
  async listUnfinished(): Promise<VolumeOperationRecord[]> {
    const rows = await this.deps.db
      .selectFrom('volume_operations')
      .selectAll()
      .where('status', 'in', [...UNFINISHED_VOLUME_OPERATION_STATUSES])
      .orderBy('created_at')
      .execute();
    return rows.map(toRecord);
  }
}
