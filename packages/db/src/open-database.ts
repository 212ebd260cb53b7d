// Opens one of the three engines by URL and configures its driver so rows read back identically everywhere:
// timestamps as UTC Date with millisecond precision, booleans as boolean, BIGINT as number.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import { createPool, type TypeCastField, type TypeCastNext } from 'mysql2';
import pg from 'pg';
import type { DatabaseEngine, DatabaseSchema } from './schema';
import { wrapSqlite } from './sqlite-adapter';

export interface DatabaseHandle {
  db: Kysely<DatabaseSchema>;
  engine: DatabaseEngine;
  /** The URL with any password removed, safe to log. */
  displayUrl: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Connections in the pool (PostgreSQL, MariaDB). */
  poolSize?: number;
  /** How long SQLite waits for a lock held by another connection. */
  busyTimeoutMs?: number;
  /** An idle pooled connection failed (server restart, network); the next query reconnects. */
  onIdleConnectionError?: (error: Error) => void;
}

export function engineOfUrl(url: string): DatabaseEngine {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return 'mysql';
  throw new Error(`unsupported database URL scheme (use sqlite:, postgres:// or mysql://): ${redactDatabaseUrl(url)}`);
}

export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+):[^@]*@/i, '$1:***@');
}

/** `sqlite:<dataDir>/migratekit.db`, creating the directory. */
export function defaultDatabaseUrl(dataDir: string): string {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return `sqlite:${join(dir, 'migratekit.db')}`;
}

export function openDatabase(url: string, options: OpenDatabaseOptions = {}): DatabaseHandle {
  const engine = engineOfUrl(url);
  const displayUrl = redactDatabaseUrl(url);
  const db = new Kysely<DatabaseSchema>({ dialect: createDialect(engine, url, options) });
  return { db, engine, displayUrl, close: () => db.destroy() };
}

function createDialect(
  engine: DatabaseEngine,
  url: string,
  options: OpenDatabaseOptions,
): SqliteDialect | PostgresDialect | MysqlDialect {
  switch (engine) {
    case 'sqlite':
      return new SqliteDialect({ database: () => Promise.resolve(openSqlite(url, options)) });
    case 'postgres': {
      const pool = new pg.Pool({
        connectionString: url,
        max: options.poolSize ?? 10,
        // int8 (BIGINT, COUNT) as number: byte counts stay far below 2^53.
        types: { getTypeParser: postgresTypeParser as typeof pg.types.getTypeParser },
      });
      // Without a listener an idle client's error would crash the process.
      pool.on('error', (error) => options.onIdleConnectionError?.(error));
      return new PostgresDialect({ pool });
    }
    case 'mysql':
      return new MysqlDialect({
        pool: createPool({
          uri: url.replace(/^mariadb:/, 'mysql:'),
          connectionLimit: options.poolSize ?? 10,
          // DATETIME(3) columns hold UTC; timezone 'Z' makes mysql2 write and read them as UTC.
          timezone: 'Z',
          dateStrings: false,
          supportBigNumbers: true,
          bigNumberStrings: false,
          typeCast: mysqlTypeCast,
        }),
        onCreateConnection: async (connection) => {
          await connection.executeQuery(CompiledQuery.raw("SET time_zone = '+00:00'"));
        },
      });
  }
}

function openSqlite(url: string, options: OpenDatabaseOptions) {
  const rest = url.slice('sqlite:'.length);
  const path = rest === ':memory:' || rest === '' ? ':memory:' : rest.replace(/^\/\/(?=\/)/, '');
  if (path !== ':memory:') {
    mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
    // Created owner-only before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
    closeSync(openSync(path, 'a', 0o600));
  }
  const database = new BetterSqlite3(path);
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (path !== ':memory:') database.pragma('journal_mode = WAL');
  return wrapSqlite(database);
}

const PG_INT8 = 20;

function postgresTypeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === PG_INT8) return (value: string) => Number(value);
  return pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown;
}

function mysqlTypeCast(field: TypeCastField, next: TypeCastNext): unknown {
  // BOOLEAN is TINYINT(1) in MariaDB; everything else keeps mysql2's conversion.
  if (field.type === 'TINY' && field.length === 1) {
    const value = field.string();
    return value === null ? null : value === '1';
  }
  return next();
}
