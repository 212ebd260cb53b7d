import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { defaultDatabaseUrl, engineOfUrl, openDatabase, redactDatabaseUrl } from './open-database';

test('the engine is chosen by the URL scheme', { timeout: 120_000 }, () => {
  assert.equal(engineOfUrl('sqlite::memory:'), 'sqlite');
  assert.equal(engineOfUrl('sqlite:./data/migratekit.db'), 'sqlite');
  assert.equal(engineOfUrl('postgres://u@h/db'), 'postgres');
  assert.equal(engineOfUrl('postgresql://u@h/db'), 'postgres');
  assert.equal(engineOfUrl('mysql://root@127.0.0.1:3306/x'), 'mysql');
  assert.throws(
    () => engineOfUrl('oracle://scott:tiger@h/db'),
    (error: Error) => !error.message.includes('tiger'),
  );
});

test('passwords are removed from the display URL', { timeout: 120_000 }, async () => {
  assert.equal(redactDatabaseUrl('postgres://mk:s3cret@db:5432/mk'), 'postgres://mk:***@db:5432/mk');
  assert.equal(redactDatabaseUrl('mysql://root@127.0.0.1/x'), 'mysql://root@127.0.0.1/x');
  const handle = openDatabase('sqlite::memory:');
  assert.equal(handle.displayUrl, 'sqlite::memory:');
  await handle.close();
});

test(
  'defaultDatabaseUrl creates the data directory and a SQLite file there with WAL and foreign keys',
  { timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migratekit-open-'));
    try {
      const url = defaultDatabaseUrl(join(dir, 'nested', 'data'));
      assert.equal(url, `sqlite:${join(dir, 'nested', 'data', 'migratekit.db')}`);
      const handle = openDatabase(url);
      try {
        assert.equal(handle.engine, 'sqlite');
        const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(handle.db);
        assert.equal(journal.rows[0]?.journal_mode, 'wal');
        const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(handle.db);
        assert.equal(fk.rows[0]?.foreign_keys, 1);
      } finally {
        await handle.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
