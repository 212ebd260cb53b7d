// failover_jobs: one row per live or test failover, with what it used (snapshots, networks, options).
import { ACTIVE_FAILOVER_STATUSES, MigrateKitError, newJobId, type FailoverJobStatus } from '@migratekit/core';
import type { Row } from '../schema';
import { fromJson, toJson, type RepositoryDeps } from './repository-deps';

export type FailoverType = 'live' | 'test';
// The statuses come from the catalogue in @migratekit/core (docs/statuses.md).
export { ACTIVE_FAILOVER_STATUSES, type FailoverJobStatus };

export interface FailoverJobRecord extends Omit<
  Row<'failover_jobs'>,
  'job_type' | 'status' | 'source_vm_spec' | 'volume_snapshots' | 'network_mappings' | 'options'
> {
  job_type: FailoverType;
  status: FailoverJobStatus;
  source_vm_spec: Record<string, unknown> | null;
  /** CloudStack volume id -> snapshot id. */
  volume_snapshots: Record<string, string> | null;
  network_mappings: unknown[] | null;
  options: Record<string, unknown> | null;
}

export interface NewFailoverJob {
  job_id?: string;
  vm_context_id: string;
  replication_job_id?: string | null;
  job_type: FailoverType;
  status?: FailoverJobStatus;
  source_vm_name: string;
  source_vm_spec?: Record<string, unknown> | null;
  network_mappings?: unknown[] | null;
  options?: Record<string, unknown> | null;
}

export interface FailoverJobPatch {
  status?: FailoverJobStatus;
  destination_vm_id?: string | null;
  volume_snapshots?: Record<string, string> | null;
  network_mappings?: unknown[] | null;
  /** Replaces the whole options object (callers merge). */
  options?: Record<string, unknown> | null;
  error_message?: string | null;
  completed_at?: Date | null;
}

export interface FailoverJobFilter {
  contextId?: string;
  type?: FailoverType;
  statuses?: readonly FailoverJobStatus[];
  limit?: number;
}

const toRecord = (row: Row<'failover_jobs'>): FailoverJobRecord => ({
  ...row,
  job_type: row.job_type as FailoverType,
  status: row.status as FailoverJobStatus,
  source_vm_spec: fromJson<Record<string, unknown>>(row.source_vm_spec),
  volume_snapshots: fromJson<Record<string, string>>(row.volume_snapshots),
  network_mappings: fromJson<unknown[]>(row.network_mappings),
  options: fromJson<Record<string, unknown>>(row.options),
});

export class FailoverJobRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(input: NewFailoverJob): Promise<FailoverJobRecord> {
    const now = this.deps.clock.now();
    const jobId = input.job_id ?? newJobId(now, 'failover');
    await this.deps.db
      .insertInto('failover_jobs')
      .values({
        job_id: jobId,
        vm_context_id: input.vm_context_id,
        replication_job_id: input.replication_job_id ?? null,
        job_type: input.job_type,
        status: input.status ?? 'pending',
        source_vm_name: input.source_vm_name,
        source_vm_spec: toJson(input.source_vm_spec),
        destination_vm_id: null,
        volume_snapshots: null,
        network_mappings: toJson(input.network_mappings),
        options: toJson(input.options),
        error_message: null,
        created_at: now,
        updated_at: now,
        completed_at: null,
      })
      .execute();
    return this.require(jobId);
  }

  async get(jobId: string): Promise<FailoverJobRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('failover_jobs')
      .selectAll()
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async require(jobId: string): Promise<FailoverJobRecord> {
    const job = await this.get(jobId);
    if (job === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Failover job ${jobId} not found`, details: { jobId } });
    }
    return job;
  }

  async listByContext(contextId: string): Promise<FailoverJobRecord[]> {
    const rows = await this.deps.db
      .selectFrom('failover_jobs')
      .selectAll()
      .where('vm_context_id', '=', contextId)
      .orderBy('created_at', 'desc')
      .orderBy('job_id', 'desc')
      .execute();
    return rows.map(toRecord);
  }

  /** Newest first; every filter optional. */
  async list(filter: FailoverJobFilter = {}): Promise<FailoverJobRecord[]> {
    let query = this.deps.db.selectFrom('failover_jobs').selectAll();
    if (filter.contextId !== undefined) query = query.where('vm_context_id', '=', filter.contextId);
    if (filter.type !== undefined) query = query.where('job_type', '=', filter.type);
    if (filter.statuses !== undefined && filter.statuses.length > 0)
      query = query.where('status', 'in', [...filter.statuses]);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('job_id', 'desc')
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toRecord);
  }

  /** The newest active failover (pending, running or rolling back) of each of these contexts: one query a page. */
  async activeByContexts(contextIds: readonly string[]): Promise<Map<string, FailoverJobRecord>> {
    const active = new Map<string, FailoverJobRecord>();
    if (contextIds.length === 0) return active;
    const rows = await this.deps.db
      .selectFrom('failover_jobs')
      .selectAll()
      .where('vm_context_id', 'in', [...contextIds])
      .where('status', 'in', [...ACTIVE_FAILOVER_STATUSES])
      .orderBy('created_at', 'desc')
      .execute();
    for (const record of rows.map(toRecord))
      if (!active.has(record.vm_context_id)) active.set(record.vm_context_id, record);
    return active;
  }

  /** The latest failover of a context of the given type (what a cleanup or rollback acts on). */
  async findLatest(contextId: string, type?: FailoverType): Promise<FailoverJobRecord | undefined> {
    let query = this.deps.db.selectFrom('failover_jobs').selectAll().where('vm_context_id', '=', contextId);
    if (type !== undefined) query = query.where('job_type', '=', type);
    const row = await query.orderBy('created_at', 'desc').orderBy('job_id', 'desc').executeTakeFirst();
    return row && toRecord(row);
  }

  async update(jobId: string, patch: FailoverJobPatch): Promise<FailoverJobRecord> {
    const { volume_snapshots, network_mappings, options, ...plain } = patch;
    await this.deps.db
      .updateTable('failover_jobs')
      .set({
        ...plain,
        ...(volume_snapshots !== undefined ? { volume_snapshots: toJson(volume_snapshots) } : {}),
        ...(network_mappings !== undefined ? { network_mappings: toJson(network_mappings) } : {}),
        ...(options !== undefined ? { options: toJson(options) } : {}),
        updated_at: this.deps.clock.now(),
      })
      .where('job_id', '=', jobId)
      .execute();
    return this.require(jobId);
  }
}
