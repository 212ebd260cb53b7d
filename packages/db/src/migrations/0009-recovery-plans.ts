// Recovery plans (docs/recovery-plans.md): a plan is an ordered list of stages; a stage holds machine groups or
// single VMs in order and says what the next stage waits for; a run is one test or live execution of a plan,
// whose parent workflow job starts the child failovers stage by stage.
import { sql, type CreateTableBuilder, type Migration } from 'kysely';
import { columnTypes, engineOf, type MigrationDb } from './column-types';

export const recoveryPlans: Migration = {
  async up(db: MigrationDb): Promise<void> {
    const engine = engineOf(db);
    const t = columnTypes(engine);
    // MariaDB needs InnoDB (foreign keys) and a binary collation (ids compare byte for byte).
    const finish = <N extends string, C extends string>(table: CreateTableBuilder<N, C>) =>
      engine === 'mysql' ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : table;

    await finish(
      db.schema
        .createTable('recovery_plans')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('name', t.name, (c) => c.notNull().unique())
        .addColumn('description', t.text)
        .addColumn('created_by', t.name)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull()),
    ).execute();

    await finish(
      db.schema
        .createTable('recovery_plan_stages')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('plan_id', t.id, (c) => c.notNull())
        .addColumn('position', t.integer, (c) => c.notNull())
        .addColumn('name', t.name, (c) => c.notNull())
        .addColumn('wait_condition', t.short, (c) => c.notNull())
        .addColumn('wait_seconds', t.integer, (c) => c.notNull())
        .addForeignKeyConstraint('fk_recovery_plan_stages_plan', ['plan_id'], 'recovery_plans', ['id'], (fk) =>
          fk.onDelete('cascade'),
        )
        .addUniqueConstraint('uq_recovery_plan_stages_position', ['plan_id', 'position']),
    ).execute();

    // A member is a machine group or one VM; deleting either removes it from the plans that named it.
    await finish(
      db.schema
        .createTable('recovery_plan_members')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('stage_id', t.id, (c) => c.notNull())
        .addColumn('position', t.integer, (c) => c.notNull())
        .addColumn('group_id', t.id)
        .addColumn('vm_context_id', t.id)
        .addForeignKeyConstraint('fk_recovery_plan_members_stage', ['stage_id'], 'recovery_plan_stages', ['id'], (fk) =>
          fk.onDelete('cascade'),
        )
        .addForeignKeyConstraint('fk_recovery_plan_members_group', ['group_id'], 'vm_machine_groups', ['id'], (fk) =>
          fk.onDelete('cascade'),
        )
        .addForeignKeyConstraint(
          'fk_recovery_plan_members_context',
          ['vm_context_id'],
          'vm_replication_contexts',
          ['context_id'],
          (fk) => fk.onDelete('cascade'),
        )
        .addUniqueConstraint('uq_recovery_plan_members_position', ['stage_id', 'position']),
    ).execute();

    await finish(
      db.schema
        .createTable('recovery_plan_runs')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('plan_id', t.id, (c) => c.notNull())
        .addColumn('plan_name', t.name, (c) => c.notNull())
        .addColumn('job_id', t.id, (c) => c.notNull().unique())
        .addColumn('failover_type', t.short, (c) => c.notNull())
        .addColumn('status', t.short, (c) => c.notNull())
        .addColumn('stage_count', t.integer, (c) => c.notNull())
        .addColumn('error_message', t.text)
        .addColumn('undo_jobs', t.json)
        .addColumn('requested_by', t.name, (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('completed_at', t.timestamp)
        .addForeignKeyConstraint('fk_recovery_plan_runs_plan', ['plan_id'], 'recovery_plans', ['id'], (fk) =>
          fk.onDelete('cascade'),
        ),
    ).execute();
    await db.schema
      .createIndex('idx_recovery_plan_runs_plan')
      .on('recovery_plan_runs')
      .columns(['plan_id', 'created_at'])
      .execute();
  },

  async down(db: MigrationDb): Promise<void> {
    await db.schema.dropTable('recovery_plan_runs').ifExists().execute();
    await db.schema.dropTable('recovery_plan_members').ifExists().execute();
    await db.schema.dropTable('recovery_plan_stages').ifExists().execute();
    await db.schema.dropTable('recovery_plans').ifExists().execute();
  },
};
