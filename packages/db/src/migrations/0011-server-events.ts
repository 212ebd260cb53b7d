// Events across servers (docs/scale-out.md#events-across-servers): one row per live-stream event a server
// published, so the other servers sharing the database can relay it to their dashboards. MariaDB polls this
// table by id; PostgreSQL stores here only the events too large for a NOTIFY payload and sends their id.
// Rows are short-lived: each server prunes the ones older than its retention.
import { sql, type Migration } from 'kysely';
import { addAutoIncrementId, columnTypes, engineOf, type MigrationDb } from './column-types';

export const serverEvents: Migration = {
  async up(db: MigrationDb): Promise<void> {
    const engine = engineOf(db);
    const t = columnTypes(engine);
    const table = addAutoIncrementId(db.schema.createTable('server_events'), engine)
      .addColumn('origin', t.name, (c) => c.notNull())
      .addColumn('event_type', t.short, (c) => c.notNull())
      .addColumn('payload', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull());
    await (
      engine === 'mysql' ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : table
    ).execute();
    await db.schema.createIndex('ix_server_events_created').on('server_events').column('created_at').execute();
  },

  async down(db: MigrationDb): Promise<void> {
    await db.schema.dropTable('server_events').ifExists().execute();
  },
};
