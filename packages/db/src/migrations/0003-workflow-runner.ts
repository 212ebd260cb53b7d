// Columns for the durable workflow runner (docs/workflows.md): a workflow job row carries its workflow, its input,
// its takeover policy, the lease of the server that owns it and why it is paused; a workflow step row carries the
// step it belongs to, whether it ran the step or its compensation, and the step's output, so a compensation or a
// resumed run never depends on memory. One column per ALTER: SQLite adds one at a time.
import type { Migration } from 'kysely';
import { columnTypes, engineOf, type MigrationDb } from './column-types';

type ColumnType = keyof ReturnType<typeof columnTypes>;

const COLUMNS: readonly { table: string; column: string; type: ColumnType }[] = [
  { table: 'job_tracking', column: 'workflow_name', type: 'name' },
  { table: 'job_tracking', column: 'workflow_input', type: 'json' },
  { table: 'job_tracking', column: 'takeover_policy', type: 'short' },
  { table: 'job_tracking', column: 'lease_owner', type: 'name' },
  { table: 'job_tracking', column: 'lease_expires_at', type: 'timestamp' },
  { table: 'job_tracking', column: 'pause_reason', type: 'text' },
  { table: 'job_steps', column: 'step_key', type: 'name' },
  { table: 'job_steps', column: 'step_kind', type: 'short' },
  { table: 'job_steps', column: 'output', type: 'json' },
];

const INDEXES: readonly { name: string; table: string; columns: string[]; unique: boolean }[] = [
  // The takeover scan: active jobs whose lease ran out.
  {
    name: 'ix_job_tracking_status_lease',
    table: 'job_tracking',
    columns: ['status', 'lease_expires_at'],
    unique: false,
  },
  // A workflow step runs (and is compensated) once per job: idempotency by (job, step). NULLs (plain JobLog
  // steps) never collide on any of the three engines.
  {
    name: 'uq_job_steps_workflow_step',
    table: 'job_steps',
    columns: ['job_id', 'step_kind', 'step_key'],
    unique: true,
  },
];

export const workflowRunner: Migration = {
  async up(db: MigrationDb): Promise<void> {
    const t = columnTypes(engineOf(db));
    for (const { table, column, type } of COLUMNS) {
      await db.schema.alterTable(table).addColumn(column, t[type]).execute();
    }
    for (const { name, table, columns, unique } of INDEXES) {
      const builder = db.schema.createIndex(name).on(table).columns(columns);
      await (unique ? builder.unique() : builder).execute();
    }
  },

  async down(db: MigrationDb): Promise<void> {
    // MariaDB names the table in DROP INDEX; PostgreSQL and SQLite reject it.
    const onTable = engineOf(db) === 'mysql';
    for (const { name, table } of INDEXES) {
      const drop = db.schema.dropIndex(name);
      await (onTable ? drop.on(table) : drop).execute();
    }
    for (const { table, column } of [...COLUMNS].reverse()) {
      await db.schema.alterTable(table).dropColumn(column).execute();
    }
  },
};
