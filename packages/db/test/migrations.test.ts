// Migrations apply, roll back and re-apply cleanly on every engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrateDown, migrateToLatest, MIGRATIONS, pendingMigrations } from '../src/migrations/migrator';
import { describeOnEngines } from '../src/testing';

describeOnEngines('migrations', ({ engine, database }) => {
  test(
    `[${engine}] the latest schema is applied, and down then up leaves it usable`,
    { timeout: 120_000 },
    async () => {
      const { db } = database();
      assert.deepEqual(await migrateToLatest(db), [], 'already at latest after setup');
      const latest = Object.keys(MIGRATIONS).at(-1);
      assert.deepEqual(await pendingMigrations(db), []);
      assert.deepEqual(await migrateDown(db), [latest]);
      // What `migratekit server migrate --dry-run` shows: the rolled-back one, and nothing was applied by asking.
      assert.deepEqual(await pendingMigrations(db), [latest]);
      assert.deepEqual(await pendingMigrations(db), [latest]);
      const tables = await db.introspection.getTables();
      assert.equal(
        tables.some((t) => t.name === 'vm_replication_contexts'),
        latest !== '0001-initial-schema',
      );
      assert.deepEqual(await migrateToLatest(db), [latest]);
      const names = (await db.introspection.getTables()).map((t) => t.name);
      for (const table of ['vm_replication_contexts', 'job_tracking', 'log_events', 'network_mappings', 'sessions']) {
        assert.ok(names.includes(table), table);
      }
    },
  );
});
