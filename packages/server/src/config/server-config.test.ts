import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadServerConfig } from './server-config';

test('defaults: 127.0.0.1:8080, ./data resolved to an absolute path, info logs', { timeout: 120_000 }, () => {
  const config = loadServerConfig({});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8080);
  assert.ok(isAbsolute(config.dataDir));
  assert.ok(config.dataDir.endsWith('/data'));
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.masterKey, undefined);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.trustProxy, false);
  assert.equal(loadServerConfig({ MIGRATEKIT_TRUST_PROXY: 'true' }).trustProxy, true);
  // NBD goes through the agent port unless its own listener is asked for.
  assert.equal(config.nbd.listener, false);
  assert.equal(loadServerConfig({ MIGRATEKIT_NBD_LISTENER: 'on' }).nbd.listener, true);
});

test('values from the environment are parsed', { timeout: 120_000 }, () => {
  const key = randomBytes(32).toString('base64');
  const config = loadServerConfig({
    PORT: '9090',
    HOST: '0.0.0.0',
    MIGRATEKIT_DATA_DIR: '/var/lib/migratekit',
    DATABASE_URL: 'postgres://u:p@db/mk',
    MIGRATEKIT_MASTER_KEY: key,
    MIGRATEKIT_ADMIN_PASSWORD: 'long-enough',
    LOG_LEVEL: 'DEBUG',
    MIGRATEKIT_AGENT_ADVERTISE_URL: 'https://mk-1.example.com:8443/',
  });
  assert.equal(config.agentListener.advertiseUrl, 'https://mk-1.example.com:8443');
  assert.deepEqual(
    [
      config.port,
      config.host,
      config.dataDir,
      config.databaseUrl,
      config.masterKey,
      config.adminPassword,
      config.logLevel,
    ],
    [9090, '0.0.0.0', '/var/lib/migratekit', 'postgres://u:p@db/mk', key, 'long-enough', 'debug'],
  );
});

test('bad values fail with an error naming the variable', { timeout: 120_000 }, () => {
  const cases: [NodeJS.ProcessEnv, string][] = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'oracle://x' }, 'DATABASE_URL'],
    [{ MIGRATEKIT_MASTER_KEY: 'abc' }, 'MIGRATEKIT_MASTER_KEY'],
    [{ MIGRATEKIT_ADMIN_PASSWORD: 'short' }, 'MIGRATEKIT_ADMIN_PASSWORD'],
    [{ MIGRATEKIT_TRUST_PROXY: 'maybe' }, 'MIGRATEKIT_TRUST_PROXY'],
    [{ MIGRATEKIT_NBD_LISTENER: 'sometimes' }, 'MIGRATEKIT_NBD_LISTENER'],
    [{ MIGRATEKIT_AGENT_ADVERTISE_URL: 'mk-1.example.com:8443' }, 'MIGRATEKIT_AGENT_ADVERTISE_URL'],
    [{ MIGRATEKIT_AGENT_ADVERTISE_URL: 'https://mk-1.example.com:8443/agents' }, 'MIGRATEKIT_AGENT_ADVERTISE_URL'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(
      () => loadServerConfig(env),
      (e) => e instanceof ConfigError && e.variable === variable && e.message.startsWith(`${variable}: `),
      variable,
    );
  }
});

test('guest conversion settings: auto by default, off, virtio-win path and time limits', { timeout: 120_000 }, () => {
  const defaults = loadServerConfig({}).conversion;
  assert.deepEqual(defaults, {
    mode: 'auto',
    virtioWin: undefined,
    timeoutMs: 3_600_000,
    inspectionTimeoutMs: 900_000,
  });
  const set = loadServerConfig({
    MIGRATEKIT_CONVERTER: 'OFF',
    MIGRATEKIT_VIRTIO_WIN: '/srv/virtio-win.iso',
    MIGRATEKIT_CONVERSION_TIMEOUT_SECONDS: '600',
    MIGRATEKIT_INSPECTION_TIMEOUT_SECONDS: '120',
  }).conversion;
  assert.deepEqual(set, {
    mode: 'off',
    virtioWin: '/srv/virtio-win.iso',
    timeoutMs: 600_000,
    inspectionTimeoutMs: 120_000,
  });
  assert.throws(
    () => loadServerConfig({ MIGRATEKIT_CONVERTER: 'virt-v2v' }),
    /MIGRATEKIT_CONVERTER: must be auto or off/,
  );
  assert.throws(
    () => loadServerConfig({ MIGRATEKIT_CONVERSION_TIMEOUT_SECONDS: '0' }),
    (error: unknown) => error instanceof ConfigError && error.variable === 'MIGRATEKIT_CONVERSION_TIMEOUT_SECONDS',
  );
});

test('the event poll interval of MariaDB servers: default unset, a positive number of ms', { timeout: 120_000 }, () => {
  assert.equal(loadServerConfig({}).eventPollMs, undefined);
  assert.equal(loadServerConfig({ MIGRATEKIT_EVENT_POLL_MS: '250' }).eventPollMs, 250);
  for (const bad of ['0', 'fast', '1.5', '3600001'])
    assert.throws(
      () => loadServerConfig({ MIGRATEKIT_EVENT_POLL_MS: bad }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'MIGRATEKIT_EVENT_POLL_MS',
    );
});
