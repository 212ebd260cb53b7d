// The scheduler (docs/scheduler.md): a schedule's catch-up policy after downtime and its target RPO; a tick key
// on executions so one scheduled tick is recorded (and run) once even when two servers race for it; and the
// leader lease table, one row per lease name, that lets exactly one server drive the schedules at a time.
import { sql, type Migration } from 'kysely';
import { columnTypes, engineOf, type MigrationDb } from './column-types';

export const schedulerLeases: Migration = {
  async up(db: MigrationDb): Promise<void> {
    const engine = engineOf(db);
    const t = columnTypes(engine);
    // SQLite adds one column per ALTER; a NOT NULL column needs its default there.
    await db.schema
      .alterTable('replication_schedules')
      .addColumn('catch_up_policy', t.short, (c) => c.notNull().defaultTo('skip'))
      .execute();
    await db.schema.alterTable('replication_schedules').addColumn('target_rpo_seconds', t.integer).execute();
    await db.schema.alterTable('schedule_executions').addColumn('tick_key', t.name).execute();
    // NULL tick keys (manual runs) never collide on any of the three engines.
    await db.schema
      .createIndex('uq_schedule_executions_tick')
      .on('schedule_executions')
      .column('tick_key')
      .unique()
      .execute();
    const table = db.schema
      .createTable('scheduler_leases')
      .addColumn('name', t.short, (c) => c.primaryKey())
      .addColumn('owner', t.name, (c) => c.notNull())
      .addColumn('acquired_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull());
    await (
      engine === 'mysql' ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : table
    ).execute();
  },

  async down(db: MigrationDb): Promise<void> {
    const engine = engineOf(db);
    await db.schema.dropTable('scheduler_leases').ifExists().execute();
    const drop = db.schema.dropIndex('uq_schedule_executions_tick');
    await (engine === 'mysql' ? drop.on('schedule_executions') : drop).execute();
    await db.schema.alterTable('schedule_executions').dropColumn('tick_key').execute();
    await db.schema.alterTable('replication_schedules').dropColumn('target_rpo_seconds').execute();
    await db.schema.alterTable('replication_schedules').dropColumn('catch_up_policy').execute();
  },
};
