// replication_schedules (docs/model.md#scheduler): cron with seconds and a time zone, driving machine groups.
import { MigrateKitError, newId } from '@migratekit/core';
import type { NewRow, Row, RowUpdate } from '../schema';
import { affected, isUniqueViolation, type RepositoryDeps } from './repository-deps';

export type ScheduleReplicationType = 'auto' | 'initial' | 'incremental';
/** What a schedule does with ticks it missed while no server ran it. */
export type CatchUpPolicy = 'skip' | 'run_once';
export type ScheduleRecord = Omit<Row<'replication_schedules'>, 'replication_type' | 'catch_up_policy'> & {
  replication_type: ScheduleReplicationType;
  catch_up_policy: CatchUpPolicy;
};
export type NewSchedule = Omit<
  NewRow<'replication_schedules'>,
  'id' | 'replication_type' | 'catch_up_policy' | 'created_at' | 'updated_at'
> & { id?: string; replication_type: ScheduleReplicationType; catch_up_policy?: CatchUpPolicy };
export type SchedulePatch = Omit<
  RowUpdate<'replication_schedules'>,
  'id' | 'replication_type' | 'catch_up_policy' | 'created_at' | 'updated_at'
> & { replication_type?: ScheduleReplicationType; catch_up_policy?: CatchUpPolicy };

const toRecord = (row: Row<'replication_schedules'>): ScheduleRecord => row as ScheduleRecord;

function duplicateName(error: unknown, name: string | undefined): never {
  if (isUniqueViolation(error)) {
    throw new MigrateKitError('MKE_DUPLICATE', {
      message: `A schedule named ${name ?? ''} already exists`,
      field: 'name',
      cause: error,
    });
  }
  throw error;
}

export class ScheduleRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(input: NewSchedule): Promise<ScheduleRecord> {
    const now = this.deps.clock.now();
    const id = input.id ?? newId('sched');
    try {
      await this.deps.db
        .insertInto('replication_schedules')
        .values({ ...input, id, created_at: now, updated_at: now })
        .execute();
    } catch (error) {
      duplicateName(error, input.name);
    }
    return this.require(id);
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('replication_schedules')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async require(id: string): Promise<ScheduleRecord> {
    const schedule = await this.get(id);
    if (schedule === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Schedule ${id} not found`, details: { id } });
    }
    return schedule;
  }

  async getByName(name: string): Promise<ScheduleRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('replication_schedules')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async list(options: { enabled?: boolean } = {}): Promise<ScheduleRecord[]> {
    let query = this.deps.db.selectFrom('replication_schedules').selectAll();
    if (options.enabled !== undefined) query = query.where('enabled', '=', options.enabled);
    const rows = await query.orderBy('name').execute();
    return rows.map(toRecord);
  }

  async update(id: string, patch: SchedulePatch): Promise<ScheduleRecord> {
    try {
      await this.deps.db
        .updateTable('replication_schedules')
        .set({ ...patch, updated_at: this.deps.clock.now() })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      duplicateName(error, patch.name);
    }
    return this.require(id);
  }

  /**
   * Moves last_run_at forward to `tickAt` (and records the next run) only if no other server did it first:
   * the compare-and-set that hands each tick to exactly one scheduler.
   */
  async advanceLastRun(id: string, expected: Date | null, tickAt: Date, nextRunAt: Date | null): Promise<boolean> {
    const result = await this.deps.db
      .updateTable('replication_schedules')
      .set({ last_run_at: tickAt, next_run_at: nextRunAt })
      .where('id', '=', id)
      .where((eb) => (expected === null ? eb('last_run_at', 'is', null) : eb('last_run_at', '=', expected)))
      .executeTakeFirst();
    return affected(result) === 1;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.deps.db.deleteFrom('replication_schedules').where('id', '=', id).executeTakeFirst();
    return affected(result) === 1;
  }
}
