// guest_inspections: the latest libguestfs inspection of each VM's synced disks (docs/conversion.md), shown in
// the failover pre-flight and used to pick what a conversion does for a guest whose OS vSphere did not report.
import { sql, type Migration } from 'kysely';
import { columnTypes, engineOf, type MigrationDb } from './column-types';

export const guestInspectionResults: Migration = {
  async up(db: MigrationDb): Promise<void> {
    const engine = engineOf(db);
    const t = columnTypes(engine);
    const table = db.schema
      .createTable('guest_inspections')
      .addColumn('vm_context_id', t.id, (c) => c.primaryKey())
      .addColumn('os_family', t.short, (c) => c.notNull())
      .addColumn('distribution', t.name)
      .addColumn('version', t.name)
      .addColumn('kernel', t.name)
      .addColumn('convertible', t.boolean, (c) => c.notNull())
      .addColumn('reason', t.text)
      .addColumn('devices', t.json, (c) => c.notNull())
      .addColumn('inspected_at', t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint(
        'fk_guest_inspections_context',
        ['vm_context_id'],
        'vm_replication_contexts',
        ['context_id'],
        (fk) => fk.onDelete('cascade'),
      );
    await (
      engine === 'mysql' ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : table
    ).execute();
  },

  async down(db: MigrationDb): Promise<void> {
    await db.schema.dropTable('guest_inspections').ifExists().execute();
  },
};
