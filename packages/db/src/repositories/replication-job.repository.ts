// Replication jobs (docs/model.md#tables): one row per full or incremental copy of a VM.
import {
  ACTIVE_REPLICATION_STATUSES,
  MigrateKitError,
  newJobId,
  replicationJobStatuses,
  UNFINISHED_JOB_STATUSES,
  type ReplicationJobStatus,
} from '@migratekit/core';
import type { NewRow, Row, RowUpdate } from '../schema';
import { affected, pageBounds, type Page, type Paging, type RepositoryDeps } from './repository-deps';

// The statuses come from the catalogue in @migratekit/core (docs/statuses.md); re-exported under their old names.
export const REPLICATION_JOB_STATUSES = replicationJobStatuses.values;
export { ACTIVE_REPLICATION_STATUSES, type ReplicationJobStatus };

export type ReplicationJobRecord = Omit<Row<'replication_jobs'>, 'status' | 'replication_type'> & {
  status: ReplicationJobStatus;
  replication_type: 'initial' | 'incremental';
};

export type NewReplicationJob = Omit<NewRow<'replication_jobs'>, 'id' | 'status' | 'created_at' | 'updated_at'> & {
  id?: string;
  status?: ReplicationJobStatus;
  replication_type: 'initial' | 'incremental';
};

export type ReplicationJobPatch = Omit<
  RowUpdate<'replication_jobs'>,
  'id' | 'vm_context_id' | 'created_at' | 'updated_at' | 'status'
> & { status?: ReplicationJobStatus };

export interface ReplicationJobFilter {
  contextId?: string;
  status?: readonly ReplicationJobStatus[];
  scheduleExecutionId?: string;
}

const toRecord = (row: Row<'replication_jobs'>): ReplicationJobRecord => row as ReplicationJobRecord;

export class ReplicationJobRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(input: NewReplicationJob): Promise<ReplicationJobRecord> {
    const now = this.deps.clock.now();
    const id = input.id ?? newJobId(now);
    await this.deps.db
      .insertInto('replication_jobs')
      .values({ ...input, id, status: input.status ?? 'pending', created_at: now, updated_at: now })
      .execute();
    return this.require(id);
  }

  async get(id: string): Promise<ReplicationJobRecord | undefined> {
    const row = await this.deps.db.selectFrom('replication_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async require(id: string): Promise<ReplicationJobRecord> {
    const job = await this.get(id);
    if (job === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Replication job ${id} not found`, details: { id } });
    }
    return job;
  }

  async list(filter: ReplicationJobFilter = {}, paging: Paging = {}): Promise<Page<ReplicationJobRecord>> {
    const { limit, offset } = pageBounds(paging);
    let query = this.deps.db.selectFrom('replication_jobs');
    if (filter.contextId !== undefined) query = query.where('vm_context_id', '=', filter.contextId);
    if (filter.status !== undefined && filter.status.length > 0)
      query = query.where('status', 'in', [...filter.status]);
    if (filter.scheduleExecutionId !== undefined) {
      query = query.where('schedule_execution_id', '=', filter.scheduleExecutionId);
    }
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toRecord), total: Number(count.total) };
  }

  /** The pending or running job of a context, if any. */
  async findActiveForContext(contextId: string): Promise<ReplicationJobRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('replication_jobs')
      .selectAll()
      .where('vm_context_id', '=', contextId)
      .where('status', 'in', [...ACTIVE_REPLICATION_STATUSES])
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** The latest completed job of a context: where an incremental continues from. */
  async findLastCompletedForContext(contextId: string): Promise<ReplicationJobRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('replication_jobs')
      .selectAll()
      .where('vm_context_id', '=', contextId)
      .where('status', '=', 'completed')
      .orderBy('completed_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** When each of these jobs completed (jobs without a completion time are left out). */
  async completionTimes(ids: readonly string[]): Promise<Map<string, Date>> {
    const times = new Map<string, Date>();
    if (ids.length === 0) return times;
    const rows = await this.deps.db
      .selectFrom('replication_jobs')
      .select(['id', 'completed_at'])
      .where('id', 'in', [...ids])
      .execute();
    for (const row of rows) if (row.completed_at !== null) times.set(row.id, row.completed_at);
    return times;
  }

  /** Every job a schedule execution started (first attempts and retries), oldest first. */
  async listByExecution(executionId: string): Promise<ReplicationJobRecord[]> {
    const rows = await this.deps.db
      .selectFrom('replication_jobs')
      .selectAll()
      .where('schedule_execution_id', '=', executionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  /** The contexts that have a pending or running job (one query, for a scheduler tick). */
  async activeContextIds(): Promise<Set<string>> {
    const rows = await this.deps.db
      .selectFrom('replication_jobs')
      .select('vm_context_id')
      .where('status', 'in', [...ACTIVE_REPLICATION_STATUSES])
      .execute();
    return new Set(rows.map((r) => r.vm_context_id));
  }

  async listActive(): Promise<ReplicationJobRecord[]> {
    const rows = await this.deps.db
      .selectFrom('replication_jobs')
      .selectAll()
      .where('status', 'in', [...ACTIVE_REPLICATION_STATUSES])
      .orderBy('created_at')
      .execute();
    return rows.map(toRecord);
  }

  /**
   * Active replications whose JobLog job is no longer under way (marked interrupted because its server died) or
   * missing: what recovery ends. A replication a live server runs keeps its job unfinished and is not listed.
   */
  async listActiveWithEndedJob(): Promise<ReplicationJobRecord[]> {
    const rows = await this.deps.db
      .selectFrom('replication_jobs')
      .leftJoin('job_tracking', 'job_tracking.id', 'replication_jobs.id')
      .selectAll('replication_jobs')
      .where('replication_jobs.status', 'in', [...ACTIVE_REPLICATION_STATUSES])
      .where((eb) =>
        eb.or([eb('job_tracking.id', 'is', null), eb('job_tracking.status', 'not in', [...UNFINISHED_JOB_STATUSES])]),
      )
      .orderBy('replication_jobs.created_at')
      .execute();
    return rows.map(toRecord);
  }

  async update(id: string, patch: ReplicationJobPatch): Promise<ReplicationJobRecord> {
    await this.deps.db
      .updateTable('replication_jobs')
      .set({ ...patch, updated_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
    return this.require(id);
  }

  /** Records a progress report; stamps last_progress_at so a stalled job can be detected. */
  async recordProgress(
    id: string,
    progress: Pick<
      ReplicationJobPatch,
      | 'progress_percent'
      | 'bytes_transferred'
      | 'total_bytes'
      | 'current_operation'
      | 'throughput_current_bps'
      | 'throughput_avg_bps'
      | 'throughput_peak_bps'
      | 'eta_seconds'
      | 'sync_type'
    >,
  ): Promise<boolean> {
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('replication_jobs')
      .set({ ...progress, last_progress_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', [...ACTIVE_REPLICATION_STATUSES])
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Ends an active job; false when it had already ended (the first final status wins). */
  async finish(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    error?: { message: string; classification?: string },
  ): Promise<boolean> {
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('replication_jobs')
      .set({
        status,
        completed_at: now,
        updated_at: now,
        ...(status === 'completed' ? { progress_percent: 100 } : {}),
        ...(error ? { error_message: error.message, error_classification: error.classification ?? null } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', replicationJobStatuses.allowedSources(status))
      .executeTakeFirst();
    return affected(result) === 1;
  }
}
