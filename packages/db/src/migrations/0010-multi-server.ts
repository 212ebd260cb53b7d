// Several servers on one database (docs/scale-out.md): the `servers` registry (identity, addresses, the data
// mover's CloudStack VM and its attachment slots, a heartbeat lease), the agent a plain JobLog job is routed to
// (a queued job waits for the server holding that agent to claim it), the server each agent's link ends on, and
// `agent_requests`, through which a server without a suitable agent asks the server that has one. One column per
// ALTER: SQLite adds one at a time.
import { sql, type CreateTableBuilder, type Migration } from 'kysely';
import { columnTypes, engineOf, type MigrationDb } from './column-types';

const COLUMNS = [
  { table: 'job_tracking', column: 'agent_id', type: 'id' },
  { table: 'agents', column: 'server_id', type: 'name' },
] as const;

const INDEXES: readonly { name: string; table: string; columns: string[] }[] = [
  // The queue scan of a server: queued jobs of the agents it holds.
  { name: 'ix_job_tracking_agent_status', table: 'job_tracking', columns: ['agent_id', 'status'] },
  { name: 'ix_agent_requests_agent_status', table: 'agent_requests', columns: ['agent_id', 'status'] },
];

export const multiServer: Migration = {
  async up(db: MigrationDb): Promise<void> {
    const engine = engineOf(db);
    const t = columnTypes(engine);
    const finish = <N extends string, C extends string>(table: CreateTableBuilder<N, C>) =>
      engine === 'mysql' ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : table;
    await finish(
      db.schema
        .createTable('servers')
        .addColumn('id', t.name, (c) => c.primaryKey())
        .addColumn('api_url', t.text)
        .addColumn('agent_url', t.text)
        .addColumn('data_mover_vm_id', t.id)
        .addColumn('attachment_slots', t.integer, (c) => c.notNull())
        .addColumn('started_at', t.timestamp, (c) => c.notNull())
        .addColumn('heartbeat_at', t.timestamp, (c) => c.notNull())
        .addColumn('lease_expires_at', t.timestamp, (c) => c.notNull()),
    ).execute();
    await finish(
      db.schema
        .createTable('agent_requests')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('agent_id', t.id, (c) => c.notNull())
        .addColumn('method', t.short, (c) => c.notNull())
        .addColumn('params', t.json, (c) => c.notNull())
        .addColumn('timeout_ms', t.integer, (c) => c.notNull())
        .addColumn('status', t.short, (c) => c.notNull())
        .addColumn('requested_by', t.name, (c) => c.notNull())
        .addColumn('claimed_by', t.name)
        .addColumn('result', t.json)
        .addColumn('error', t.json)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('deadline_at', t.timestamp, (c) => c.notNull())
        .addColumn('completed_at', t.timestamp),
    ).execute();
    for (const { table, column, type } of COLUMNS) {
      await db.schema.alterTable(table).addColumn(column, t[type]).execute();
    }
    for (const { name, table, columns } of INDEXES) {
      await db.schema.createIndex(name).on(table).columns(columns).execute();
    }
  },

  async down(db: MigrationDb): Promise<void> {
    const onTable = engineOf(db) === 'mysql';
    for (const { name, table } of INDEXES) {
      const drop = db.schema.dropIndex(name);
      await (onTable ? drop.on(table) : drop).execute();
    }
    for (const { table, column } of [...COLUMNS].reverse()) {
      await db.schema.alterTable(table).dropColumn(column).execute();
    }
    await db.schema.dropTable('agent_requests').ifExists().execute();
    await db.schema.dropTable('servers').ifExists().execute();
  },
};
