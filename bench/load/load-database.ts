// A fresh database per load run on the PostgreSQL or MariaDB server of the admin URL: dropped if a previous run
// left it, created empty (the first server migrates it), and dropped again at the end.
import { openDatabase, type DatabaseHandle } from '@migratekit/db';
import { CompiledQuery } from 'kysely';
import type { LoadConfig } from './load-config';

async function onAdmin(config: LoadConfig, statements: string[]): Promise<void> {
  const admin = openDatabase(config.adminUrl, { poolSize: 1 });
  try {
    for (const statement of statements) await admin.db.executeQuery(CompiledQuery.raw(statement));
  } finally {
    await admin.close();
  }
}

function dropStatement(config: LoadConfig): string {
  return config.engine === 'postgres'
    ? `DROP DATABASE IF EXISTS ${config.databaseName} WITH (FORCE)`
    : `DROP DATABASE IF EXISTS ${config.databaseName}`;
}

/** The URL the servers use: the admin URL with the run's database name. */
export function runDatabaseUrl(config: LoadConfig): string {
  const url = new URL(config.adminUrl);
  url.pathname = `/${config.databaseName}`;
  return url.toString();
}

export async function createRunDatabase(config: LoadConfig): Promise<void> {
  const create =
    config.engine === 'postgres'
      ? `CREATE DATABASE ${config.databaseName}`
      : `CREATE DATABASE ${config.databaseName} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`;
  await onAdmin(config, [dropStatement(config), create]);
}

export async function dropRunDatabase(config: LoadConfig): Promise<void> {
  await onAdmin(config, [dropStatement(config)]);
}

/** The harness's own connection, for the checks (it reads; the servers write). */
export function openRunDatabase(config: LoadConfig): DatabaseHandle {
  return openDatabase(runDatabaseUrl(config), { poolSize: 2 });
}
