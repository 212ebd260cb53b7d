// POST /api/v1/cloudstack/config/test and /api/v1/cloudstack/discover-resources against the CloudStack simulator:
// distinct errors for a wrong key, an unreachable port and a URL that is not CloudStack. A failed test is a
// result (200, ok false, error.code), missing input stays 400.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  DEFAULT_ZONE_ID,
  SECOND_ZONE_ID,
  startCloudStackSimulator,
  type CloudStackSimulatorHandle,
} from '@migratekit/sim-cloudstack';
import { loadOrCreateServerCertificate } from '../../src/nbd-target';
import { createTestApp, type TestApp } from '../test-app';

const API_KEY = 'routes-api-key';
const SECRET_KEY = 'routes-secret-key';
let t: TestApp;
let sim: CloudStackSimulatorHandle;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mk-cs-routes-'));
  sim = await startCloudStackSimulator({
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
    dataDir: join(dir, 'sim'),
    byIdDir: join(dir, 'by-id'),
  });
  t = await createTestApp();
});
after(async () => {
  await t.close();
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The body of a failed connection test: ok false, with the error that says why. */
function failure(response: { json: <T>() => T }) {
  const body = response.json<{ ok: boolean; error: { code: string; message: string } }>();
  assert.equal(body.ok, false);
  return body;
}

function post(url: string, payload: Record<string, unknown>, headers = t.admin) {
  return t.app.inject({ method: 'POST', url, headers, payload });
}

test('config test: host:port and keys that work report the version and zone count', { timeout: 120_000 }, async () => {
  const response = await post('/api/v1/cloudstack/config/test', {
    api_url: sim.hostPort,
    api_key: API_KEY,
    secret_key: SECRET_KEY,
  });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json<{ ok: boolean; api_url: string; cloudstack_version: string; zones: number }>();
  assert.equal(body.ok, true);
  assert.equal(body.api_url, `http://${sim.hostPort}/client/api`, '/client/api is added');
  assert.match(body.cloudstack_version, /^4\./);
  assert.equal(body.zones, 2);
});

test(
  'config test: wrong key, unreachable port and wrong path give 200 ok false with three distinct codes',
  { timeout: 120_000 },
  async () => {
    const wrongKey = await post('/api/v1/cloudstack/config/test', {
      api_url: sim.hostPort,
      api_key: API_KEY,
      secret_key: 'not-the-secret',
    });
    assert.equal(wrongKey.statusCode, 200, wrongKey.body);
    assert.equal(failure(wrongKey).error.code, 'MKE_CLOUDSTACK_AUTH');

    const port = await closedPort();
    const unreachable = await post('/api/v1/cloudstack/config/test', {
      api_url: `127.0.0.1:${port}`,
      api_key: API_KEY,
      secret_key: SECRET_KEY,
    });
    assert.equal(unreachable.statusCode, 200, unreachable.body);
    const unreachableError = failure(unreachable).error;
    assert.equal(unreachableError.code, 'MKE_UPSTREAM_UNREACHABLE');
    assert.match(unreachableError.message, /ECONNREFUSED/);

    const wrongPath = await post('/api/v1/cloudstack/config/test', {
      api_url: `http://${sim.hostPort}/cloudstack-ui`,
      api_key: API_KEY,
      secret_key: SECRET_KEY,
    });
    assert.equal(wrongPath.statusCode, 200, wrongPath.body);
    assert.equal(failure(wrongPath).error.code, 'MKE_UPSTREAM_BAD_URL');

    // Not CloudStack at all: our own API server answers JSON, but not the CloudStack shape.
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const notCloudStack = await post('/api/v1/cloudstack/config/test', {
      api_url: `${address}/client/api`,
      api_key: API_KEY,
      secret_key: SECRET_KEY,
    });
    assert.equal(notCloudStack.statusCode, 200, notCloudStack.body);
    assert.equal(failure(notCloudStack).error.code, 'MKE_UPSTREAM_BAD_URL');

    // https with a certificate nobody trusts.
    const certificate = await loadOrCreateServerCertificate({ dataDir: join(dir, 'tls') });
    const https = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    try {
      const untrusted = await post('/api/v1/cloudstack/config/test', {
        api_url: `https://127.0.0.1:${(https.address() as AddressInfo).port}`,
        api_key: API_KEY,
        secret_key: SECRET_KEY,
      });
      assert.equal(untrusted.statusCode, 200, untrusted.body);
      assert.equal(failure(untrusted).error.code, 'MKE_UPSTREAM_TLS');
    } finally {
      https.closeAllConnections();
      await new Promise<void>((resolve) => https.close(() => resolve()));
    }

    const missing = await post('/api/v1/cloudstack/config/test', { api_url: sim.hostPort, api_key: API_KEY });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json<{ error: { field: string } }>().error.field, 'body.secret_key');

    const viewer = await t.userWithRole('viewer');
    assert.equal((await post('/api/v1/cloudstack/config/test', {}, viewer)).statusCode, 403);
    assert.equal((await post('/api/v1/cloudstack/config/test', {}, {})).statusCode, 401);
  },
);

test(
  'config test and discovery work from a stored configuration (by id, or the active one)',
  { timeout: 120_000 },
  async () => {
    const created = await post('/api/v1/cloudstack/config', {
      name: 'sim',
      api_url: sim.hostPort,
      api_key: API_KEY,
      secret_key: SECRET_KEY,
    });
    assert.equal(created.statusCode, 201, created.body);
    const configId = created.json<{ id: string }>().id;
    const byId = await post('/api/v1/cloudstack/config/test', { config_id: configId });
    assert.equal(byId.statusCode, 200, byId.body);
    const overridden = await post('/api/v1/cloudstack/config/test', {
      config_id: configId,
      secret_key: 'edited-wrong',
    });
    assert.equal(overridden.statusCode, 200, overridden.body);
    assert.equal(failure(overridden).error.code, 'MKE_CLOUDSTACK_AUTH');
    const active = await post('/api/v1/cloudstack/config/test', {});
    assert.equal(active.statusCode, 200, active.body);
    const unknown = await post('/api/v1/cloudstack/config/test', { config_id: 'csc-nope' });
    assert.equal(unknown.statusCode, 404);

    const discovered = await post('/api/v1/cloudstack/discover-resources', { config_id: configId });
    assert.equal(discovered.statusCode, 200, discovered.body);
    const resources = discovered.json<{
      zones: { id: string; name: string }[];
      domains: { name: string; path: string }[];
      templates: { id: string; name: string }[];
      service_offerings: { name: string; memory_mb: number }[];
      disk_offerings: { name: string; is_customized: boolean }[];
      networks: { id: string; name: string; type: string; guest_ip_type: string; is_test_candidate: boolean }[];
    }>();
    assert.deepEqual(
      resources.zones.map((z) => [z.id, z.name]),
      [
        [DEFAULT_ZONE_ID, 'Zone-DC1'],
        [SECOND_ZONE_ID, 'Zone-DC2'],
      ],
    );
    assert.ok(resources.domains.some((d) => d.path === 'ROOT/Customers'));
    assert.ok(resources.templates.some((tpl) => tpl.name === 'MigrateKit Placeholder (KVM)'));
    assert.ok(resources.service_offerings.some((o) => o.name === 'Medium Instance' && o.memory_mb === 4096));
    assert.ok(resources.disk_offerings.some((o) => o.name === 'Custom' && o.is_customized));
    const lab = resources.networks.find((n) => n.name === 'Lab-L2-Test');
    assert.deepEqual(lab && [lab.type, lab.guest_ip_type, lab.is_test_candidate], ['L2', 'L2', true]);
    const prod = resources.networks.find((n) => n.name === 'Prod-Web-VLAN100');
    assert.deepEqual(prod && [prod.type, prod.is_test_candidate], ['Shared', false]);
    assert.ok(resources.networks.some((n) => n.type === 'Isolated' && n.is_test_candidate));
    const names = resources.networks.map((n) => n.name);
    assert.deepEqual(
      names,
      [...names].sort((a, b) => a.localeCompare(b)),
      'sorted by name for dropdowns',
    );

    const otherZone = await post('/api/v1/cloudstack/discover-resources', {
      zone_id: '11111111-2222-4333-8444-555555555555',
    });
    assert.equal(otherZone.statusCode, 200, otherZone.body);
    assert.deepEqual(otherZone.json<{ networks: unknown[] }>().networks, []);

    const badKey = await post('/api/v1/cloudstack/discover-resources', {
      api_url: sim.hostPort,
      api_key: 'nobody',
      secret_key: SECRET_KEY,
    });
    assert.equal(badKey.json<{ error: { code: string } }>().error.code, 'MKE_CLOUDSTACK_AUTH');
    assert.equal(badKey.statusCode, 422, "credentials CloudStack refuses are the caller's problem, not a 502");
    const warned = t.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.code === 'MKE_CLOUDSTACK_AUTH');
    assert.equal(warned?.level, 40, 'logged at warn');
    assert.equal(warned?.err, undefined, 'without a stack trace');
  },
);
