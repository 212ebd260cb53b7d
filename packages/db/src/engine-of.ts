import { MysqlAdapter, PostgresAdapter, type Kysely } from 'kysely';
import type { DatabaseEngine } from './schema';

/** Which engine a Kysely instance (or transaction) talks to, from its dialect adapter. */
export function engineOf<T>(db: Kysely<T>): DatabaseEngine {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof MysqlAdapter) return 'mysql';
  return 'sqlite';
}
