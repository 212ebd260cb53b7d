// Indexes for the operator views of the volume daemon: volumes by the VM they are attached to (the reconciler's
// lookup and the view filter), and operations newest first (the table grows with every operation).
import type { Migration } from 'kysely';
import { engineOf, type MigrationDb } from './column-types';

const INDEXES: readonly { name: string; table: string; columns: string[] }[] = [
  { name: 'ix_cloudstack_volumes_attached_vm_id', table: 'cloudstack_volumes', columns: ['attached_vm_id'] },
  { name: 'ix_volume_operations_created_at', table: 'volume_operations', columns: ['created_at'] },
];

export const volumeViewIndexes: Migration = {
  async up(db: MigrationDb): Promise<void> {
    for (const { name, table, columns } of INDEXES)
      await db.schema.createIndex(name).on(table).columns(columns).execute();
  },

  async down(db: MigrationDb): Promise<void> {
    // MariaDB names the table in DROP INDEX; PostgreSQL and SQLite reject it.
    const onTable = engineOf(db) === 'mysql';
    for (const { name, table } of INDEXES) {
      const drop = db.schema.dropIndex(name);
      await (onTable ? drop.on(table) : drop).execute();
    }
  },
};
