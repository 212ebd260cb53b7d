// Server lifecycle on the SQLite default (docs/install.md): `server migrate --dry-run` changes nothing,
// `server --check` names what is wrong, and a backup taken while the server runs restores into a new data
// directory with its data and, only when asked for with a passphrase, its master key.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MIGRATIONS, checkSqliteFile, createRepositories, openDatabase } from '@migratekit/db';
import { systemClock } from '@migratekit/core';
import { loadServerConfig, type ServerConfig } from '../../src/config/server-config';
import { backupServer, restoreServer } from '../../src/lifecycle/backup';
import { migrateDatabase } from '../../src/lifecycle/migrate';
import { checkServer } from '../../src/lifecycle/server-check';
import { createLogger } from '../../src/logging/logger';
import { startServer } from '../../src/server-runtime';

const PASSPHRASE = 'correct horse battery staple';
let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'migratekit-lifecycle-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function envFor(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    MIGRATEKIT_DATA_DIR: dataDir,
    PORT: '0',
    MIGRATEKIT_AGENT_PORT: '0',
    MIGRATEKIT_NBD_PORT: '0',
    MIGRATEKIT_NBD_HOST: '127.0.0.1',
    MIGRATEKIT_BY_ID_DIR: root,
    MIGRATEKIT_ADMIN_PASSWORD: 'lifecycle-admin',
    ...extra,
  };
}

const configFor = (dataDir: string, extra: NodeJS.ProcessEnv = {}): ServerConfig =>
  loadServerConfig(envFor(dataDir, extra));

function listen(port = 0): Promise<Server & { port: number }> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(Object.assign(server, { port: typeof address === 'object' && address ? address.port : 0 }));
    }),
  );
}

test(
  'server migrate --dry-run lists every migration of a new install and creates nothing',
  { timeout: 30_000 },
  async () => {
    const dataDir = join(root, 'dry-run');
    const plan = await migrateDatabase(configFor(dataDir), { dryRun: true });
    assert.deepEqual(plan.migrations, Object.keys(MIGRATIONS));
    assert.equal(plan.applied, false);
    assert.equal(existsSync(dataDir), false);

    const applied = await migrateDatabase(configFor(dataDir), { dryRun: false });
    assert.deepEqual(applied.migrations, Object.keys(MIGRATIONS));
    const again = await migrateDatabase(configFor(dataDir), { dryRun: true });
    assert.deepEqual(again.migrations, []);
  },
);

test('server --check names the variable, the busy port and the readable key', { timeout: 30_000 }, async () => {
  const bad = await checkServer(envFor(join(root, 'check-bad'), { PORT: 'eighty' }));
  assert.equal(bad.length, 1);
  assert.match(bad[0]?.detail ?? '', /^PORT: must be an integer/);

  const busy = await listen();
  try {
    const dataDir = join(root, 'check');
    const items = await checkServer(envFor(dataDir, { PORT: String(busy.port) }));
    const failures = items.filter((i) => !i.ok).map((i) => `${i.name}: ${i.detail}`);
    assert.equal(failures.length, 1, failures.join('\n'));
    assert.match(
      failures[0] ?? '',
      new RegExp(`^API port: 127.0.0.1:${busy.port} \\(PORT\\) cannot be used: EADDRINUSE`),
    );
    assert.equal(existsSync(dataDir), false, 'a check creates nothing');
  } finally {
    busy.close();
  }
});

test(
  'a backup taken while the server runs restores with its data; the key only sealed with a passphrase',
  { timeout: 90_000 },
  async () => {
    const source = join(root, 'source');
    const server = await startServer({ config: configFor(source), logger: createLogger({ level: 'silent' }) });
    const out = join(root, 'backup.db');
    try {
      // A stored secret, sealed with this server's key: the check must open it with the restored key.
      await server.services.cloudStackConfigs.create(
        { name: 'unreachable', api_url: '127.0.0.1:9', api_key: 'key', secret_key: 'secret' },
        { principal: { userId: 'u', username: 'admin', role: 'admin', via: 'token', credentialId: 't' } },
      );
      await assert.rejects(backupServer(configFor(source), { out, passphrase: 'short' }), /at least 12/);
      assert.equal(existsSync(out), false, 'nothing is written when the passphrase is refused');
      const plain = await backupServer(configFor(source), { out: join(root, 'plain.db') });
      assert.equal(plain.keyFile, undefined);
      assert.equal(existsSync(join(root, 'plain.db.key')), false);
      const sealed = await backupServer(configFor(source), { out, passphrase: PASSPHRASE });
      assert.equal(sealed.keyFile, `${out}.key`);
      assert.equal(statSync(out).mode & 0o777, 0o600);
      assert.equal(statSync(`${out}.key`).mode & 0o777, 0o600);
      assert.equal(
        readFileSync(`${out}.key`, 'utf8').includes(readFileSync(join(source, 'master.key'), 'utf8').trim()),
        false,
      );
      await assert.rejects(
        restoreServer(configFor(join(root, 'other'), { PORT: new URL(server.url).port }), {
          from: out,
          now: new Date(),
        }),
        /stop it first/,
      );
    } finally {
      await server.close();
    }

    assert.deepEqual(checkSqliteFile(out).migrations, Object.keys(MIGRATIONS));
    const target = join(root, 'target');
    mkdirSync(target, { mode: 0o700 });
    await assert.rejects(
      restoreServer(configFor(target), {
        from: out,
        keyFile: `${out}.key`,
        passphrase: 'wrong passphrase!',
        now: new Date(),
      }),
      /does not open with this passphrase/,
    );
    const restored = await restoreServer(configFor(target), {
      from: out,
      keyFile: `${out}.key`,
      passphrase: PASSPHRASE,
      now: new Date(),
    });
    assert.equal(restored.keyRestored, true);
    assert.equal(readFileSync(join(target, 'master.key'), 'utf8'), readFileSync(join(source, 'master.key'), 'utf8'));
    const database = openDatabase(`sqlite:${join(target, 'migratekit.db')}`);
    try {
      const repositories = createRepositories(database.db, systemClock);
      assert.equal((await repositories.cloudstackConfigs.getActive())?.name, 'unreachable');
    } finally {
      await database.close();
    }
    // The restored key opens the stored secret: the check gets as far as dialling CloudStack.
    const items = await checkServer(envFor(target));
    const cloudstack = items.find((i) => i.name === 'CloudStack');
    assert.equal(cloudstack?.ok, false);
    assert.match(cloudstack?.detail ?? '', /Cannot reach the CloudStack management server/);
    assert.equal(items.find((i) => i.name === 'master key')?.ok, true);

    chmodSync(join(target, 'master.key'), 0o644);
    const loose = await checkServer(envFor(target));
    assert.match(loose.find((i) => i.name === 'master key')?.detail ?? '', /mode 644; use 0600/);
  },
);
