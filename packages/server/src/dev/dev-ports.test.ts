// `npm start` on a busy machine: every default port of the dev stack held (by this test, or by another program
// that already had it) and the stack still starts on free ones and prints them; a port the operator set
// explicitly is never replaced: start-up fails naming the component and the variable. `migratekit server`
// names the variable of a taken port too.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { ConfigError, DEFAULT_AGENT_PORT, DEFAULT_NBD_PORT, loadServerConfig } from '../config/server-config';
import { createLogger } from '../logging/logger';
import { startServer } from '../server-runtime';
import { DEFAULT_DEV_PORTS } from './dev-estate';
import { startDevStack } from './dev-stack';

const MiB = 1024 * 1024;
const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Ports',
      hosts: [{ name: 'esx01.ports.local' }],
      datastores: [{ name: 'DS-01', capacityGiB: 10 }],
      networks: [{ name: 'VM Network' }],
      vms: [
        {
          name: 'small',
          host: 'esx01.ports.local',
          guest: 'linux' as const,
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn' as const,
          disks: [{ capacityBytes: 4 * MiB, datastore: 'DS-01', seedBytes: MiB }],
          nics: [{ network: 'VM Network' }],
        },
      ],
    },
  ],
};

/** Holds 127.0.0.1:port; undefined when another program already holds it (taken either way). */
async function hold(port: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolveHeld, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolveHeld(undefined) : reject(error),
    );
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolveHeld(server));
  });
}

async function holdEphemeral(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolveHeld) => server.listen({ host: '127.0.0.1', port: 0 }, resolveHeld));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, port: address.port };
}

async function release(servers: Array<Server | undefined>): Promise<void> {
  for (const server of servers) {
    if (server !== undefined) await new Promise<void>((done) => server.close(() => done()));
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

test('dev ports', { timeout: 180_000 }, async (t) => {
  await t.test('every default port taken: the stack starts on free ones and the banner shows them', async (t) => {
    const defaults = [
      8080,
      DEFAULT_AGENT_PORT,
      DEFAULT_NBD_PORT,
      DEFAULT_DEV_PORTS.vcenter,
      DEFAULT_DEV_PORTS.vcenterNbd,
      DEFAULT_DEV_PORTS.cloudstack,
    ];
    const held = await Promise.all(defaults.map(hold));
    t.after(() => release(held));
    const dataDir = mkdtempSync(join(tmpdir(), 'mk-dev-ports-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const lines: string[] = [];
    // No PORT and no port variable: the defaults, as `npm start` uses them.
    const stack = await startDevStack({
      env: {
        MIGRATEKIT_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        MIGRATEKIT_DEV_GUEST_WRITES: 'off',
        // The NBD target's own port is optional (agents use the agent port); on, it is one more port to free.
        MIGRATEKIT_NBD_LISTENER: 'on',
      },
      logger: createLogger({ level: 'silent' }),
      out: (line) => lines.push(line),
      inventory,
    });
    t.after(() => stack.close());
    const estate = stack.estate;
    assert.ok(estate);
    const health = await fetch(`${stack.url}/api/v1/health`);
    assert.equal(health.status, 200);

    const used = {
      api: portOf(stack.url),
      agents: portOf(stack.server.gateway.url),
      nbd: stack.server.nbdPort ?? 0,
      vcenter: portOf(estate.vcenter.url),
      vcenterNbd: estate.vcenter.nbd?.port ?? 0,
      cloudstack: portOf(estate.cloudstack.url),
    };
    for (const port of Object.values(used)) {
      assert.ok(port > 0, JSON.stringify(used));
      assert.ok(!defaults.includes(port), `a taken default was used: ${JSON.stringify(used)}`);
    }
    const banner = lines.join('\n');
    assert.match(banner, new RegExp(`URL: +http://127\\.0\\.0\\.1:${used.api}\\n`));
    assert.match(banner, new RegExp(`Agents: +https://127\\.0\\.0\\.1:${used.agents}\\n`));
    assert.match(banner, new RegExp(`NBD target: +127\\.0\\.0\\.1:${used.nbd} `));
    assert.match(banner, new RegExp(`vCenter: +https://127\\.0\\.0\\.1:${used.vcenter}`));
    assert.match(banner, new RegExp(`vCenter NBD: +127\\.0\\.0\\.1:${used.vcenterNbd} `));
    assert.match(banner, new RegExp(`CloudStack: +http://127\\.0\\.0\\.1:${used.cloudstack}`));
    assert.match(banner, /Guest writes: +off/);
    for (const variable of [
      'PORT',
      'MIGRATEKIT_AGENT_PORT',
      'MIGRATEKIT_NBD_PORT',
      'MIGRATEKIT_DEV_VCENTER_PORT',
      'MIGRATEKIT_DEV_VCENTER_NBD_PORT',
      'MIGRATEKIT_DEV_CLOUDSTACK_PORT',
    ])
      assert.match(banner, new RegExp(`taken; using a free one \\(set ${variable} to choose\\)`), banner);
  });

  await t.test('an explicitly set port that is taken fails naming the component and the variable', async (t) => {
    const taken = await holdEphemeral();
    t.after(() => release([taken.server]));
    const dataDir = mkdtempSync(join(tmpdir(), 'mk-dev-ports-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const logger = createLogger({ level: 'silent' });
    const start = (extra: Record<string, string>) =>
      startDevStack({
        env: { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...extra },
        logger,
        out: () => undefined,
        inventory,
      });
    await assert.rejects(
      start({ MIGRATEKIT_DEV_CLOUDSTACK_PORT: String(taken.port) }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.variable === 'MIGRATEKIT_DEV_CLOUDSTACK_PORT' &&
        error.message.includes(`port ${taken.port} of the CloudStack simulator`),
    );
    await assert.rejects(
      start({ PORT: String(taken.port) }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'PORT' && /API server/.test(error.message),
    );
    await assert.rejects(
      start({ MIGRATEKIT_DEV_GUEST_WRITES: 'sometimes' }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'MIGRATEKIT_DEV_GUEST_WRITES',
    );
  });

  await t.test('migratekit server: a taken port fails naming the component and the variable', async (t) => {
    const taken = await holdEphemeral();
    t.after(() => release([taken.server]));
    const dataDir = mkdtempSync(join(tmpdir(), 'mk-server-ports-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadServerConfig({
      MIGRATEKIT_DATA_DIR: dataDir,
      PORT: '0',
      MIGRATEKIT_AGENT_PORT: '0',
      MIGRATEKIT_NBD_LISTENER: 'on',
      MIGRATEKIT_NBD_PORT: String(taken.port),
      MIGRATEKIT_NBD_HOST: '127.0.0.1',
      MIGRATEKIT_BY_ID_DIR: join(dataDir, 'by-id'),
    });
    await assert.rejects(
      startServer({ config, logger: createLogger({ level: 'silent' }) }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.variable === 'MIGRATEKIT_NBD_PORT' &&
        error.message.includes(`port ${taken.port} of the NBD target`),
    );
  });
});
