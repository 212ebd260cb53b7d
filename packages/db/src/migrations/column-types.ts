// Per-engine column types, so one migration produces the right DDL on SQLite, PostgreSQL and MariaDB.
import { sql, type CreateTableBuilder, type Expression, type Kysely } from 'kysely';
import type { DatabaseEngine } from '../schema';
import { SQLITE_BOOLEAN_TYPE, SQLITE_TIMESTAMP_TYPE } from '../sqlite-adapter';

// Migrations run against the database as it is at that point, not the final schema type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the Migrator's contract is Kysely<any>
export type MigrationDb = Kysely<any>;

export { engineOf } from '../engine-of';

export interface ColumnTypes {
  /** A short identifier or key: indexable on MariaDB (255 chars * 4 bytes stays under the key limit). */
  id: Expression<unknown>;
  name: Expression<unknown>;
  short: Expression<unknown>;
  text: Expression<unknown>;
  json: Expression<unknown>;
  timestamp: Expression<unknown>;
  boolean: Expression<unknown>;
  integer: Expression<unknown>;
  bigint: Expression<unknown>;
  double: Expression<unknown>;
}

export function columnTypes(engine: DatabaseEngine): ColumnTypes {
  return {
    id: sql.raw('varchar(128)'),
    name: sql.raw('varchar(255)'),
    short: sql.raw('varchar(64)'),
    text: sql.raw('text'),
    // MariaDB TEXT stops at 64 KiB; request/response payloads and log fields may be larger.
    json: sql.raw(engine === 'mysql' ? 'mediumtext' : 'text'),
    timestamp: sql.raw(
      engine === 'postgres' ? 'timestamptz(3)' : engine === 'mysql' ? 'datetime(3)' : SQLITE_TIMESTAMP_TYPE,
    ),
    boolean: sql.raw(engine === 'sqlite' ? SQLITE_BOOLEAN_TYPE : 'boolean'),
    integer: sql.raw('integer'),
    bigint: sql.raw('bigint'),
    double: sql.raw(engine === 'postgres' ? 'double precision' : engine === 'mysql' ? 'double' : 'real'),
  };
}

/** An auto-increment BIGINT primary key in each engine's own spelling. */
export function addAutoIncrementId<T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
  engine: DatabaseEngine,
  column = 'id',
): CreateTableBuilder<T, C | string> {
  switch (engine) {
    case 'postgres':
      return table.addColumn(column, 'bigserial', (c) => c.primaryKey());
    case 'mysql':
      return table.addColumn(column, 'bigint', (c) => c.primaryKey().autoIncrement());
    case 'sqlite':
      return table.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement());
  }
}
