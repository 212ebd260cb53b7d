// better-sqlite3 has no Date or boolean type. This wrapper binds Date as an ISO-8601 UTC string and boolean as
// 0/1, and converts result columns back by their declared type, so SQLite rows look like PostgreSQL rows.
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Declared SQLite column types the migrations use; the names give TEXT and NUMERIC affinity respectively. */
export const SQLITE_TIMESTAMP_TYPE = 'timestamp_text';
export const SQLITE_BOOLEAN_TYPE = 'boolean';

type Converter = (value: unknown) => unknown;

const toDate: Converter = (value) => (typeof value === 'string' ? new Date(value) : value);
const toBoolean: Converter = (value) => (value === null || value === undefined ? value : Boolean(value));

function bindValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

function converterFor(declaredType: string | null): Converter | undefined {
  const type = declaredType?.toLowerCase();
  if (type === SQLITE_TIMESTAMP_TYPE) return toDate;
  if (type === SQLITE_BOOLEAN_TYPE) return toBoolean;
  return undefined;
}

function rowConverter(statement: Statement): (row: unknown) => unknown {
  const conversions = statement
    .columns()
    .map((column) => [column.name, converterFor(column.type)] as const)
    .filter((entry): entry is readonly [string, Converter] => entry[1] !== undefined);
  if (conversions.length === 0) return (row) => row;
  return (row) => {
    const record = row as Record<string, unknown>;
    for (const [name, convert] of conversions) record[name] = convert(record[name]);
    return record;
  };
}

export function wrapSqlite(database: Database): SqliteDatabase {
  return {
    close: () => {
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      const statement = database.prepare(sql);
      const convert = statement.reader ? rowConverter(statement) : (row: unknown) => row;
      const bind = (parameters: ReadonlyArray<unknown>): unknown[] => parameters.map(bindValue);
      return {
        reader: statement.reader,
        all: (parameters) => statement.all(...bind(parameters)).map(convert),
        run: (parameters) => statement.run(...bind(parameters)),
        *iterate(parameters) {
          for (const row of statement.iterate(...bind(parameters))) yield convert(row);
        },
      };
    },
  };
}
