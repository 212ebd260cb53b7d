// GET /api/v1/setup/status against the in-process vCenter and CloudStack simulators: every step starts undone
// with what to do, a failed check says what is wrong (with its MKE_* code), a change after a test undoes the
// step, and the agent steps follow pairing. The agent coming online and a real discovery run are covered by the
// dashboard's first-run e2e (packages/web/test/first-run-setup.e2e.test.ts).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startCloudStackSimulator, type CloudStackSimulatorHandle } from '@migratekit/sim-cloudstack';
import { startVCenterSimulator, type VCenterSimulator } from '@migratekit/sim-vcenter';
import { createTestApp, type TestApp } from './test-app';

interface Step {
  id: string;
  done: boolean;
  message: string;
  code: string | null;
}
interface Status {
  complete: boolean;
  first_run: boolean;
  steps: Step[];
}

const API_KEY = 'setup-api-key';
const SECRET_KEY = 'setup-secret-key';

let t: TestApp;
let vc: VCenterSimulator;
let cs: CloudStackSimulatorHandle;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mk-setup-status-'));
  vc = await startVCenterSimulator({ dataDir: join(dir, 'vc'), guestWrites: false });
  cs = await startCloudStackSimulator({
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
    dataDir: join(dir, 'cs'),
    byIdDir: join(dir, 'by-id'),
  });
  t = await createTestApp();
});
after(async () => {
  await t.close();
  await cs.close();
  await vc.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  const response = await t.app.inject({
    method,
    url,
    headers: t.admin,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json<Record<string, unknown>>();
}

async function status(): Promise<Status & { step(id: string): Step }> {
  const body = (await call('GET', '/api/v1/setup/status')) as unknown as Status;
  assert.deepEqual(
    body.steps.map((s) => s.id),
    ['vcenter', 'cloudstack', 'agent_paired', 'agent_online', 'discovery'],
  );
  return {
    ...body,
    step: (id) => {
      const found = body.steps.find((s) => s.id === id);
      assert.ok(found, id);
      return found;
    },
  };
}

test('a fresh server is a first run with every step undone and what to do', { timeout: 30_000 }, async () => {
  const s = await status();
  assert.equal(s.first_run, true);
  assert.equal(s.complete, false);
  assert.ok(s.steps.every((step) => !step.done));
  assert.match(s.step('vcenter').message, /No vCenter credential yet/);
  assert.match(s.step('cloudstack').message, /No CloudStack configuration yet/);
  assert.match(s.step('agent_paired').message, /No agent paired yet/);
  assert.match(s.step('discovery').message, /needs an online agent/);
  const viewer = await t.userWithRole('viewer');
  const read = await t.app.inject({ method: 'GET', url: '/api/v1/setup/status', headers: viewer });
  assert.equal(read.statusCode, 200, 'every role may read the checklist');
});

test(
  'the vCenter step shows the last test of the default credential: wrong password, then right, then changed',
  { timeout: 60_000 },
  async () => {
    const created = await call('POST', '/api/v1/vmware-credentials', {
      name: 'lab',
      vcenter_host: `${vc.host}:${vc.port}`,
      username: vc.username,
      password: 'wrong-password',
    });
    const id = String(created.id);
    assert.match((await status()).step('vcenter').message, /has not been tested since it was saved/);

    const pin = { thumbprint: vc.thumbprints.sha256 };
    await call('POST', `/api/v1/vmware-credentials/${id}/test`, pin);
    const failed = (await status()).step('vcenter');
    assert.equal(failed.done, false);
    assert.equal(failed.code, 'MKE_VCENTER_AUTH');
    assert.match(failed.message, /The last test of lab failed/);

    await t.clock.advance(1_000);
    await call('PUT', `/api/v1/vmware-credentials/${id}`, { password: vc.password });
    assert.match((await status()).step('vcenter').message, /not been tested since/, 'a change undoes the test');
    await t.clock.advance(1_000);
    await call('POST', `/api/v1/vmware-credentials/${id}/test`, pin);
    const ok = (await status()).step('vcenter');
    assert.equal(ok.done, true, ok.message);
    assert.equal(ok.code, null);
  },
);

test(
  'the CloudStack step tests the active configuration now and wants zone, template and offerings',
  { timeout: 60_000 },
  async () => {
    await call('POST', '/api/v1/cloudstack/config', {
      name: 'lab cloud',
      api_url: cs.hostPort,
      api_key: API_KEY,
      secret_key: 'not-the-secret',
    });
    const denied = (await status()).step('cloudstack');
    assert.equal(denied.done, false);
    assert.equal(denied.code, 'MKE_CLOUDSTACK_AUTH');

    await call('PUT', '/api/v1/cloudstack/config', { secret_key: SECRET_KEY });
    const incomplete = (await status()).step('cloudstack');
    assert.equal(incomplete.done, false);
    assert.match(incomplete.message, /no zone, placeholder template, service offering, disk offering chosen/);

    const resources = (await call('POST', '/api/v1/cloudstack/discover-resources', {})) as unknown as Record<
      'zones' | 'templates' | 'service_offerings' | 'disk_offerings',
      Array<{ id: string }>
    >;
    await call('PUT', '/api/v1/cloudstack/config', {
      zone_id: resources.zones[0]?.id,
      template_id: resources.templates[0]?.id,
      service_offering_id: resources.service_offerings[0]?.id,
      disk_offering_id: resources.disk_offerings[0]?.id,
    });
    const ok = (await status()).step('cloudstack');
    assert.equal(ok.done, true, ok.message);
  },
);

test('the agent steps follow pairing; an agent that never connected is named', { timeout: 30_000 }, async () => {
  const issued = await call('POST', '/api/v1/agents/pairing-tokens', {});
  assert.ok('agent_port' in issued, 'the token says which port agents pair on');
  const pair = await t.app.inject({
    method: 'POST',
    url: '/api/v1/agents/pair',
    payload: { token: issued.token, name: 'vc-agent-1', version: '0.1.0' },
  });
  assert.equal(pair.statusCode, 200, pair.body);
  const s = await status();
  assert.equal(s.first_run, false, 'credential, CloudStack and an agent exist');
  assert.equal(s.step('agent_paired').done, true);
  const online = s.step('agent_online');
  assert.equal(online.done, false);
  assert.match(online.message, /vc-agent-1 paired but never connected/);
  assert.equal(s.complete, false);
});
