// One upsert for the three engines: MariaDB has only ON DUPLICATE KEY UPDATE (any unique key), SQLite and
// PostgreSQL need the conflict column named (ON CONFLICT (key) DO UPDATE). Values are plain (no reference to
// the inserted row); network-mapping.repository.ts writes its own because it copies the inserted values.
import type { AnyColumn, InsertQueryBuilder, UpdateObject } from 'kysely';
import type { DatabaseEngine } from '../schema';

export function upsertOnKey<DB, TB extends keyof DB & string, O>(
  engine: DatabaseEngine,
  insert: InsertQueryBuilder<DB, TB, O>,
  key: AnyColumn<DB, TB>,
  changes: UpdateObject<DB, TB, TB>,
): InsertQueryBuilder<DB, TB, O> {
  if (engine === 'mysql') return insert.onDuplicateKeyUpdate(changes);
  // The same object of plain values is valid for DO UPDATE SET; Kysely types the two clauses separately.
  return insert.onConflict((oc) => oc.column(key).doUpdateSet(changes as never));
}
