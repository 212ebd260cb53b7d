// The JobLog tables (docs/model.md#the-joblog): job_tracking, job_steps and log_events. The JobLog service in the
// server is the only writer; the API reads jobs, steps and logs through here.
import { jobStatuses, newId, UNFINISHED_JOB_STATUSES, type JobStatus, type JobStepStatus } from '@migratekit/core';
import type { Row } from '../schema';
import {
  affected,
  fromJson,
  isUniqueViolation,
  pageBounds,
  toJson,
  type Page,
  type Paging,
  type RepositoryDeps,
} from './repository-deps';

// The statuses come from the catalogue in @migratekit/core (docs/statuses.md); re-exported under their old names.
export const JOB_STATUSES = jobStatuses.values;
export { UNFINISHED_JOB_STATUSES, type JobStatus };
export type StepStatus = JobStepStatus;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type JobRecord = Omit<Row<'job_tracking'>, 'status' | 'metadata'> & {
  status: JobStatus;
  metadata: Record<string, unknown> | null;
};
export type JobStepRecord = Omit<Row<'job_steps'>, 'status'> & { status: StepStatus };
export type LogEventRecord = Omit<Row<'log_events'>, 'level' | 'fields'> & {
  level: LogLevel;
  fields: Record<string, unknown> | null;
};

export interface NewJob {
  id: string;
  external_job_id: string;
  parent_job_id?: string | null;
  vm_context_id?: string | null;
  job_type: string;
  operation: string;
  status?: JobStatus;
  owner?: string | null;
  total_steps?: number | null;
  metadata?: Record<string, unknown> | null;
  /** The server running the job and until when (renewed by its heartbeat; docs/scale-out.md). */
  lease_owner?: string | null;
  lease_expires_at?: Date | null;
  /** The agent the job is routed to (a queued job waits for the server that holds it). */
  agent_id?: string | null;
}

export interface JobPatch {
  status?: JobStatus;
  progress_percent?: number;
  progress_explicit?: boolean;
  total_steps?: number | null;
  error_code?: string | null;
  error_message?: string | null;
  metadata?: Record<string, unknown> | null;
  started_at?: Date | null;
  completed_at?: Date | null;
}

export interface JobFilter {
  status?: readonly JobStatus[];
  jobType?: string;
  contextId?: string;
  parentJobId?: string;
  /** Only jobs without a parent. */
  rootOnly?: boolean;
}

export interface NewLogEvent {
  job_id: string | null;
  step?: string | null;
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown> | null;
}

const toJob = (row: Row<'job_tracking'>): JobRecord => ({
  ...(row as Omit<JobRecord, 'metadata'>),
  metadata: fromJson<Record<string, unknown>>(row.metadata),
});
const toStep = (row: Row<'job_steps'>): JobStepRecord => row as JobStepRecord;
const toLog = (row: Row<'log_events'>): LogEventRecord => ({
  ...(row as Omit<LogEventRecord, 'fields'>),
  fields: fromJson<Record<string, unknown>>(row.fields),
});

export class JobLogRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async createJob(input: NewJob): Promise<JobRecord> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('job_tracking')
      .values({
        id: input.id,
        external_job_id: input.external_job_id,
        parent_job_id: input.parent_job_id ?? null,
        vm_context_id: input.vm_context_id ?? null,
        job_type: input.job_type,
        operation: input.operation,
        status: input.status ?? 'running',
        owner: input.owner ?? null,
        total_steps: input.total_steps ?? null,
        error_code: null,
        error_message: null,
        metadata: toJson(input.metadata),
        created_at: now,
        updated_at: now,
        started_at: input.status === 'pending' ? null : now,
        completed_at: null,
        lease_owner: input.lease_owner ?? null,
        lease_expires_at: input.lease_expires_at ?? null,
        agent_id: input.agent_id ?? null,
      })
      .execute();
    const job = await this.getJob(input.id);
    if (job === undefined) throw new Error(`job ${input.id} vanished after insert`);
    return job;
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = await this.deps.db.selectFrom('job_tracking').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  async getJobByExternalId(externalJobId: string): Promise<JobRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('job_tracking')
      .selectAll()
      .where('external_job_id', '=', externalJobId)
      .executeTakeFirst();
    return row && toJob(row);
  }

  async updateJob(id: string, patch: JobPatch): Promise<JobRecord | undefined> {
    const { metadata, ...plain } = patch;
    await this.deps.db
      .updateTable('job_tracking')
      .set({
        ...plain,
        ...(metadata !== undefined ? { metadata: toJson(metadata) } : {}),
        updated_at: this.deps.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    return this.getJob(id);
  }

  /** Ends a job that is still pending or running; false when it had already ended (the first end wins). */
  async finishJob(
    id: string,
    status: Exclude<JobStatus, 'pending' | 'running'>,
    error?: { code?: string; message: string },
  ): Promise<boolean> {
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('job_tracking')
      .set({
        status,
        completed_at: now,
        updated_at: now,
        ...(status === 'completed' ? { progress_percent: 100 } : {}),
        ...(error ? { error_code: error.code ?? null, error_message: error.message } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', jobStatuses.allowedSources(status))
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Counts one more completed step; returns the job as it is afterwards. */
  async incrementCompletedSteps(id: string): Promise<JobRecord | undefined> {
    await this.deps.db
      .updateTable('job_tracking')
      .set((eb) => ({ completed_steps: eb('completed_steps', '+', 1), updated_at: this.deps.clock.now() }))
      .where('id', '=', id)
      .execute();
    return this.getJob(id);
  }

  async listJobs(filter: JobFilter = {}, paging: Paging = {}): Promise<Page<JobRecord>> {
    const { limit, offset } = pageBounds(paging);
    let query = this.deps.db.selectFrom('job_tracking');
    if (filter.status !== undefined && filter.status.length > 0)
      query = query.where('status', 'in', [...filter.status]);
    if (filter.jobType !== undefined) query = query.where('job_type', '=', filter.jobType);
    if (filter.contextId !== undefined) query = query.where('vm_context_id', '=', filter.contextId);
    if (filter.parentJobId !== undefined) query = query.where('parent_job_id', '=', filter.parentJobId);
    if (filter.rootOnly === true) query = query.where('parent_job_id', 'is', null);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toJob), total: Number(count.total) };
  }

  async listChildren(parentJobId: string): Promise<JobRecord[]> {
    const rows = await this.deps.db
      .selectFrom('job_tracking')
      .selectAll()
      .where('parent_job_id', '=', parentJobId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toJob);
  }

  /** Unfinished plain jobs; workflow jobs are left to the workflow runner, which takes them over instead. */
  async listUnfinishedJobs(): Promise<JobRecord[]> {
    const rows = await this.deps.db
      .selectFrom('job_tracking')
      .selectAll()
      .where('status', 'in', [...UNFINISHED_JOB_STATUSES])
      .where('workflow_name', 'is', null)
      .orderBy('created_at')
      .execute();
    return rows.map(toJob);
  }

  /** Starts a step with the next order number of its job (retrying if a concurrent step took the number). */
  async startStep(jobId: string, name: string): Promise<JobStepRecord> {
    for (let attempt = 0; ; attempt++) {
      let id: string;
      try {
        id = await insertNextStep(this.deps, jobId, name);
      } catch (error) {
        if (isUniqueViolation(error) && attempt < 10) continue;
        throw error;
      }
      return toStep(
        await this.deps.db.selectFrom('job_steps').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
      );
    }
  }

  /** Ends a step and returns it as stored. */
  async finishStep(
    stepId: string,
    status: 'completed' | 'failed',
    error?: { code?: string; message: string },
  ): Promise<JobStepRecord> {
    await this.deps.db
      .updateTable('job_steps')
      .set({
        status,
        completed_at: this.deps.clock.now(),
        ...(error ? { error_code: error.code ?? null, error_message: error.message } : {}),
      })
      .where('id', '=', stepId)
      .execute();
    return toStep(
      await this.deps.db.selectFrom('job_steps').selectAll().where('id', '=', stepId).executeTakeFirstOrThrow(),
    );
  }

  /** Fails every step of the job that is still running (used when a job is interrupted). */
  async failRunningSteps(jobId: string, error: { code: string; message: string }): Promise<number> {
    const result = await this.deps.db
      .updateTable('job_steps')
      .set({
        status: 'failed',
        completed_at: this.deps.clock.now(),
        error_code: error.code,
        error_message: error.message,
      })
      .where('job_id', '=', jobId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return affected(result);
  }

  async listSteps(jobId: string): Promise<JobStepRecord[]> {
    const rows = await this.deps.db
      .selectFrom('job_steps')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('step_order')
      .execute();
    return rows.map(toStep);
  }

  async appendLog(event: NewLogEvent): Promise<LogEventRecord> {
    const row = {
      job_id: event.job_id,
      step: event.step ?? null,
      level: event.level,
      message: event.message,
      fields: toJson(event.fields),
      created_at: this.deps.clock.now(),
    };
    const insert = this.deps.db.insertInto('log_events').values(row);
    // MariaDB has no INSERT ... RETURNING; its driver reports the auto-increment id instead.
    const id =
      this.deps.engine === 'mysql'
        ? Number((await insert.executeTakeFirstOrThrow()).insertId)
        : Number((await insert.returning('id').executeTakeFirstOrThrow()).id);
    return { ...row, id, level: event.level, fields: event.fields ?? null };
  }

  /** Log events of a job in write order; `afterId` continues a previous read. */
  async listLogs(jobId: string, options: { afterId?: number; limit?: number } = {}): Promise<LogEventRecord[]> {
    let query = this.deps.db.selectFrom('log_events').selectAll().where('job_id', '=', jobId);
    if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
    const rows = await query
      .orderBy('id')
      .limit(Math.min(options.limit ?? 1000, 10_000))
      .execute();
    return rows.map(toLog);
  }
}

/**
 * Inserts a running step with the next order number of its job and returns its id. Two writers can pick the same
 * number: the unique (job, order) index then fails one of them, which retries (isUniqueViolation).
 */
export async function insertNextStep(
  deps: RepositoryDeps,
  jobId: string,
  name: string,
  workflow: { step_key: string; step_kind: string } | undefined = undefined,
): Promise<string> {
  const last = await deps.db
    .selectFrom('job_steps')
    .select((eb) => eb.fn.max('step_order').as('max_order'))
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  const id = newId('step');
  await deps.db
    .insertInto('job_steps')
    .values({
      id,
      job_id: jobId,
      step_order: Number(last?.max_order ?? 0) + 1,
      name,
      status: 'running',
      error_code: null,
      error_message: null,
      started_at: deps.clock.now(),
      completed_at: null,
      ...(workflow ?? {}),
    })
    .execute();
  return id;
}
