// Fresh, migrated databases for tests on every engine. Each test file gets its own database with a unique name
// (files run in parallel processes) and drops it at the end. PostgreSQL and MariaDB come from admin URLs in
// MIGRATEKIT_TEST_PG_URL / MIGRATEKIT_TEST_MARIADB_URL; without them the engine is skipped locally and fails in
// CI (MIGRATEKIT_REQUIRE_PEERS=1).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { migrateToLatest } from '../migrations/migrator';
import { openDatabase, type DatabaseHandle } from '../open-database';

export type TestEngineName = 'sqlite' | 'postgres' | 'mariadb';

export interface TestDatabase extends DatabaseHandle {
  name: TestEngineName;
  url: string;
  /** A second, independent connection (pool) to the same database, for concurrency tests. */
  openConnection(): DatabaseHandle;
  /** Closes every connection opened here and removes the database. */
  drop(): Promise<void>;
}

export interface EngineCase {
  name: TestEngineName;
  /** For node:test's `skip` option. */
  skip: string | false;
  create(): Promise<TestDatabase>;
}

function uniqueName(): string {
  return `mk_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function withDatabaseName(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function createOn(name: TestEngineName, url: string, removeDatabase: () => Promise<void>): Promise<TestDatabase> {
  const handles: DatabaseHandle[] = [];
  const open = (): DatabaseHandle => {
    const handle = openDatabase(url);
    handles.push(handle);
    return handle;
  };
  const main = open();
  try {
    await migrateToLatest(main.db);
  } catch (error) {
    await main.close();
    await removeDatabase();
    throw error;
  }
  return {
    ...main,
    name,
    url,
    openConnection: open,
    drop: async () => {
      for (const handle of handles.splice(0)) await handle.close();
      await removeDatabase();
    },
  };
}

async function createSqlite(): Promise<TestDatabase> {
  // A file, not :memory:, so a second connection sees the same database.
  const dir = mkdtempSync(join(tmpdir(), 'migratekit-db-'));
  return createOn('sqlite', `sqlite:${join(dir, 'test.db')}`, () => {
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  });
}

async function createPostgres(adminUrl: string): Promise<TestDatabase> {
  const name = uniqueName();
  const admin = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return createOn('postgres', withDatabaseName(adminUrl, name), () =>
    admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  );
}

async function createMariadb(adminUrl: string): Promise<TestDatabase> {
  const name = uniqueName();
  const admin = async (statement: string): Promise<void> => {
    const connection = await createConnection(adminUrl);
    try {
      await connection.query(statement);
    } finally {
      await connection.end();
    }
  };
  await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  return createOn('mariadb', withDatabaseName(adminUrl, name), () => admin(`DROP DATABASE IF EXISTS ${name}`));
}

/** A fresh SQLite database for a test that needs one engine only: no peer is asked about. */
export function createSqliteTestDatabase(): Promise<TestDatabase> {
  return createSqlite();
}

/** The engines to run a database suite on: sqlite always, postgres and mariadb when their admin URL is set. */
export function engineCases(env: NodeJS.ProcessEnv = process.env): EngineCase[] {
  const pgUrl = env.MIGRATEKIT_TEST_PG_URL;
  const mariadbUrl = env.MIGRATEKIT_TEST_MARIADB_URL;
  return [
    { name: 'sqlite', skip: false, create: createSqlite },
    {
      name: 'postgres',
      skip: skipUnlessPeer('postgres (MIGRATEKIT_TEST_PG_URL)', Boolean(pgUrl), env),
      create: () => createPostgres(pgUrl ?? ''),
    },
    {
      name: 'mariadb',
      skip: skipUnlessPeer('mariadb (MIGRATEKIT_TEST_MARIADB_URL)', Boolean(mariadbUrl), env),
      create: () => createMariadb(mariadbUrl ?? ''),
    },
  ];
}

export interface EngineSuite {
  engine: TestEngineName;
  /** The suite's database; valid inside tests (created in `before`, dropped in `after`). */
  database: () => TestDatabase;
}

/**
 * Declares `describe('<title> [<engine>]')` once per engine with a fresh migrated database for the block.
 * Put the engine name in test names too, so the output shows which engine each result came from.
 */
export function describeOnEngines(title: string, body: (suite: EngineSuite) => void): void {
  for (const engineCase of engineCases()) {
    describe(`${title} [${engineCase.name}]`, { skip: engineCase.skip }, () => {
      let database: TestDatabase | undefined;
      before(async () => {
        database = await engineCase.create();
      });
      after(async () => {
        await database?.drop();
      });
      body({
        engine: engineCase.name,
        database: () => {
          if (database === undefined) throw new Error(`the ${engineCase.name} test database is not ready`);
          return database;
        },
      });
    });
  }
}
