// schedule_executions: one row per scheduler tick (or manual run) with what was eligible, created and skipped.
import { newId, type ScheduleExecutionStatus } from '@migratekit/core';
import type { Row } from '../schema';
import { fromJson, isUniqueViolation, toJson, type Paging, pageBounds, type RepositoryDeps } from './repository-deps';

// The statuses come from the catalogue in @migratekit/core (docs/statuses.md).
export type ExecutionStatus = ScheduleExecutionStatus;

export interface ExecutionVmDetail {
  vm_context_id: string;
  vm_name?: string;
  group_id?: string;
  outcome: 'created' | 'skipped' | 'failed' | 'completed';
  job_id?: string;
  /** Why a VM was skipped (a stable code: active_job, failover_state, cleanup_required, agent_offline, ...). */
  reason?: string;
  /** The reason in a sentence, or the error when a start failed. */
  message?: string;
  /** How many jobs the execution started for this VM (retries included). */
  attempts?: number;
}

export type ScheduleExecutionRecord = Omit<Row<'schedule_executions'>, 'status' | 'details'> & {
  status: ExecutionStatus;
  details: ExecutionVmDetail[] | null;
};

export interface NewScheduleExecution {
  id?: string;
  schedule_id: string | null;
  group_id?: string | null;
  status?: ExecutionStatus;
  scheduled_at: Date;
  started_at?: Date | null;
  triggered_by: string;
  /** Set for cron ticks (schedule id + tick time): a second insert of the same tick fails as a duplicate. */
  tick_key?: string | null;
}

export interface ScheduleExecutionPatch {
  status?: ExecutionStatus;
  started_at?: Date | null;
  completed_at?: Date | null;
  vms_eligible?: number;
  jobs_created?: number;
  jobs_completed?: number;
  jobs_failed?: number;
  jobs_skipped?: number;
  details?: ExecutionVmDetail[] | null;
  error?: string | null;
}

const toRecord = (row: Row<'schedule_executions'>): ScheduleExecutionRecord => ({
  ...(row as Omit<ScheduleExecutionRecord, 'details'>),
  details: fromJson<ExecutionVmDetail[]>(row.details),
});

export class ScheduleExecutionRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(input: NewScheduleExecution): Promise<ScheduleExecutionRecord> {
    const id = input.id ?? newId('exec');
    await this.deps.db
      .insertInto('schedule_executions')
      .values({
        id,
        schedule_id: input.schedule_id,
        group_id: input.group_id ?? null,
        status: input.status ?? 'running',
        scheduled_at: input.scheduled_at,
        started_at: input.started_at ?? null,
        completed_at: null,
        details: null,
        error: null,
        triggered_by: input.triggered_by,
        tick_key: input.tick_key ?? null,
        created_at: this.deps.clock.now(),
      })
      .execute();
    const created = await this.get(id);
    if (created === undefined) throw new Error(`schedule execution ${id} vanished after insert`);
    return created;
  }

  /** Like create, but undefined when the tick's execution already exists (another server recorded it). */
  async createTick(input: NewScheduleExecution & { tick_key: string }): Promise<ScheduleExecutionRecord | undefined> {
    try {
      return await this.create(input);
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  /** Executions still running (their jobs have not all ended), oldest first. */
  async listRunning(): Promise<ScheduleExecutionRecord[]> {
    const rows = await this.deps.db
      .selectFrom('schedule_executions')
      .selectAll()
      .where('status', '=', 'running')
      .orderBy('scheduled_at')
      .execute();
    return rows.map(toRecord);
  }

  /** The newest execution of each of these schedules. */
  async latestBySchedule(scheduleIds: readonly string[]): Promise<Map<string, ScheduleExecutionRecord>> {
    const latest = new Map<string, ScheduleExecutionRecord>();
    for (const scheduleId of new Set(scheduleIds)) {
      const [row] = await this.list({ scheduleId }, { limit: 1 });
      if (row !== undefined) latest.set(scheduleId, row);
    }
    return latest;
  }

  async get(id: string): Promise<ScheduleExecutionRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('schedule_executions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async update(id: string, patch: ScheduleExecutionPatch): Promise<ScheduleExecutionRecord | undefined> {
    const { details, ...plain } = patch;
    await this.deps.db
      .updateTable('schedule_executions')
      .set({ ...plain, ...(details !== undefined ? { details: toJson(details) } : {}) })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  /** How many executions match (the total of a paged list). */
  async count(filter: { scheduleId?: string; groupId?: string } = {}): Promise<number> {
    let query = this.deps.db.selectFrom('schedule_executions');
    if (filter.scheduleId !== undefined) query = query.where('schedule_id', '=', filter.scheduleId);
    if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
    const row = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /** Newest first. */
  async list(
    filter: { scheduleId?: string; groupId?: string } = {},
    paging: Paging = {},
  ): Promise<ScheduleExecutionRecord[]> {
    const { limit, offset } = pageBounds(paging);
    let query = this.deps.db.selectFrom('schedule_executions').selectAll();
    if (filter.scheduleId !== undefined) query = query.where('schedule_id', '=', filter.scheduleId);
    if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
    const rows = await query
      .orderBy('scheduled_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(toRecord);
  }
}
