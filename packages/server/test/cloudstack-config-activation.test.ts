// Adding a CloudStack configuration never silently switches the active one: the first becomes active, a later
// one only with is_active true, and that switch is in the audit log with the configuration it replaced.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './test-app';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

type View = { id: string; name: string; is_active: boolean };

async function create(name: string, extra: Record<string, unknown> = {}): Promise<View> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/ossea/config',
    headers: t.admin,
    payload: { name, api_url: 'cloud.example.com:8080', api_key: `AK-${name}`, secret_key: 'sk', ...extra },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<View>();
}

async function activeName(): Promise<string> {
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/ossea/config', headers: t.admin });
  return response.json<View>().name;
}

test(
  'a new CloudStack configuration is active only when it is the first or asked to be',
  { timeout: 60_000 },
  async () => {
    const first = await create('first');
    assert.equal(first.is_active, true, 'the first configuration becomes active');
    const second = await create('second');
    assert.equal(second.is_active, false, 'a later one does not take over silently');
    assert.equal(await activeName(), 'first');

    const third = await create('third', { is_active: true });
    assert.equal(third.is_active, true);
    assert.equal(await activeName(), 'third');
    const audit = await t.repositories.audit.list({ action: 'cloudstack_config.activate', targetId: third.id });
    assert.equal(audit.total, 1, 'the switch is audited');
    const details = JSON.parse(String(audit.items[0]?.details)) as Record<string, unknown>;
    assert.equal(details.replaced_id, first.id);
  },
);
