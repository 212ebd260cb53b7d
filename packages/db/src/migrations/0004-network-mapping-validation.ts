// Network mapping validation and per-VM failover network settings (docs/network-mapping.md): why a mapping is
// invalid (validation_reason), and the strategy, strict flag, custom overrides and NIC policies a failover of
// the VM resolves its networks with.
import { sql, type Migration } from 'kysely';
import { columnTypes, engineOf, type MigrationDb } from './column-types';

export const networkMappingValidation: Migration = {
  async up(db: MigrationDb): Promise<void> {
    const engine = engineOf(db);
    const t = columnTypes(engine);
    await db.schema.alterTable('network_mappings').addColumn('validation_reason', t.text).execute();
    const table = db.schema
      .createTable('network_strategies')
      .addColumn('vm_context_id', t.id, (c) => c.primaryKey())
      .addColumn('strategy', t.short)
      .addColumn('strict_mapping', t.boolean, (c) => c.notNull())
      .addColumn('custom_overrides', t.json)
      .addColumn('nic_policies', t.json)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint(
        'fk_network_strategies_context',
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
    await db.schema.dropTable('network_strategies').ifExists().execute();
    await db.schema.alterTable('network_mappings').dropColumn('validation_reason').execute();
  },
};
