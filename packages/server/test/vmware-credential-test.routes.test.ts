// POST /api/v1/vmware-credentials/{id}/test against the in-process vCenter simulator: a vCenter that answers
// badly is a result (200, ok false, distinct error.code), an unknown credential id stays 404.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startVCenterSimulator, type VCenterSimulator } from '@migratekit/sim-vcenter';
import { createTestApp, type TestApp } from './test-app';

type Failure = {
  ok: false;
  error: { code: string; message: string; field?: string; details?: Record<string, unknown> };
};
type Success = { ok: true; product: string; datacenters: string[] };

let t: TestApp;
let vc: VCenterSimulator;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mk-vc-test-route-'));
  vc = await startVCenterSimulator({ dataDir: join(dir, 'vc'), guestWrites: false });
  t = await createTestApp();
});
after(async () => {
  await t.close();
  await vc.close();
  await rm(dir, { recursive: true, force: true });
});

async function credential(name: string, fields: Record<string, unknown>): Promise<string> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/vmware-credentials',
    headers: t.admin,
    payload: { name, vcenter_host: `${vc.host}:${vc.port}`, username: vc.username, password: vc.password, ...fields },
  });
  assert.equal(created.statusCode, 201, created.body);
  return created.json<{ id: string }>().id;
}

function runTest(id: string, payload: Record<string, unknown> = {}, headers = t.admin) {
  return t.app.inject({ method: 'POST', url: `/api/v1/vmware-credentials/${id}/test`, headers, payload });
}

async function failure(id: string, payload: Record<string, unknown> = {}): Promise<Failure['error']> {
  const response = await runTest(id, payload);
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json<Failure | Success>();
  assert.equal(body.ok, false, response.body);
  return body.error;
}

test(
  'an untrusted certificate is ok false MKE_UPSTREAM_TLS with its thumbprints; pinning one succeeds',
  { timeout: 120_000 },
  async () => {
    const id = await credential('good', {});
    const tls = await failure(id);
    assert.equal(tls.code, 'MKE_UPSTREAM_TLS');
    assert.equal(tls.details?.sha1, vc.thumbprints.sha1);
    assert.equal(tls.details?.sha256, vc.thumbprints.sha256);

    const pinned = await runTest(id, { thumbprint: vc.thumbprints.sha256 });
    assert.equal(pinned.statusCode, 200, pinned.body);
    const body = pinned.json<Success>();
    assert.equal(body.ok, true);
    assert.ok(body.datacenters.length > 0, 'the simulator has a datacenter');
  },
);

test(
  'wrong password, unreachable host and unknown datacenter give distinct codes; unknown id is 404',
  { timeout: 120_000 },
  async () => {
    const pin = { thumbprint: vc.thumbprints.sha1 };
    const badPassword = await credential('bad password', { password: 'not-the-password' });
    assert.equal((await failure(badPassword, pin)).code, 'MKE_VCENTER_AUTH');

    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const unreachable = await credential('unreachable', { vcenter_host: `127.0.0.1:${port}` });
    assert.equal((await failure(unreachable, pin)).code, 'MKE_UPSTREAM_UNREACHABLE');

    const noDatacenter = await credential('no datacenter', { datacenter: 'DC-does-not-exist' });
    const missing = await failure(noDatacenter, pin);
    assert.equal(missing.code, 'MKE_NOT_FOUND');
    assert.equal(missing.field, 'datacenter');

    const unknown = await runTest('vmc-does-not-exist', pin);
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal(unknown.json<{ error: { code: string } }>().error.code, 'MKE_NOT_FOUND');

    const bad = await runTest(badPassword, { thumbprint: '' });
    assert.equal(bad.statusCode, 400, 'bad input stays 400');

    const viewer = await t.userWithRole('viewer');
    assert.equal((await runTest(badPassword, pin, viewer)).statusCode, 403);
  },
);

test('the test accepts a POST without a body, or with an empty JSON one', { timeout: 60_000 }, async () => {
  const id = await credential('bodiless', {});
  const url = `/api/v1/vmware-credentials/${id}/test`;
  for (const headers of [
    t.admin,
    { ...t.admin, 'content-type': 'application/json' },
    { ...t.admin, 'content-type': 'application/json', 'content-length': '0' },
  ]) {
    const response = await t.app.inject({ method: 'POST', url, headers });
    assert.equal(response.statusCode, 200, `${JSON.stringify(headers['content-type'])}: ${response.body}`);
    assert.equal(response.json<Failure>().error.code, 'MKE_UPSTREAM_TLS', 'the test ran (unpinned certificate)');
  }
  const malformed = await t.app.inject({
    method: 'POST',
    url,
    headers: { ...t.admin, 'content-type': 'application/json' },
    payload: '{"thumbprint":',
  });
  assert.equal(malformed.statusCode, 400, 'a body that is there is still parsed');
});
