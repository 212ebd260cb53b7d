import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './test-app';

const VC_PASSWORD = 'Vc-S3cret-Pa55word-4711';
const VC_PASSWORD_2 = 'Vc-Rotated-Pa55word-0815';
const CS_SECRET = 'cs-secret-key-aBcDeF0123456789';
const CS_SECRET_2 = 'cs-rotated-secret-ZyXw9876';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

type Json = Record<string, unknown>;

test(
  'VMware credentials: full cycle, password never returned, stored sealed, never logged',
  { timeout: 120_000 },
  async () => {
    const logStart = t.logs.length;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vmware-credentials',
      headers: t.admin,
      payload: {
        name: 'lab vCenter',
        vcenter_host: 'https://vc.lab.local/sdk',
        username: 'administrator@vsphere.local',
        password: VC_PASSWORD,
        datacenter: 'DC1',
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const cred = created.json<Json>();
    assert.deepEqual(
      [cred.vcenter_host, cred.has_password, cred.is_default, cred.usage_count, cred.created_by, 'password' in cred],
      ['vc.lab.local', true, true, 0, 'admin', false],
    );
    const id = String(cred.id);

    const second = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vmware-credentials',
      headers: t.admin,
      payload: { name: 'prod vCenter', vcenter_host: 'vc.prod.local:443', username: 'svc', password: 'another-one' },
    });
    assert.equal(second.json<Json>().is_default, false, 'only the first credential becomes default by itself');
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vmware-credentials',
      headers: t.admin,
      payload: { name: 'lab vCenter', vcenter_host: 'x', username: 'u', password: 'p' },
    });
    assert.equal(dup.statusCode, 409);

    const updated = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/vmware-credentials/${id}`,
      headers: t.admin,
      payload: { password: VC_PASSWORD_2, datacenter: null },
    });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.json<Json>().datacenter, null);
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/vmware-credentials/${id}`, headers: t.admin });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/vmware-credentials', headers: t.admin });
    assert.equal(list.json<{ items: Json[] }>().items.length, 2);

    const secondId = String(second.json<Json>().id);
    const setDefault = await t.app.inject({
      method: 'POST',
      url: `/api/v1/vmware-credentials/${secondId}/set-default`,
      headers: t.admin,
    });
    assert.equal(setDefault.json<Json>().is_default, true);
    const after = await t.app.inject({ method: 'GET', url: `/api/v1/vmware-credentials/${id}`, headers: t.admin });
    assert.equal(after.json<Json>().is_default, false, 'exactly one default');

    for (const response of [created, updated, got, list, setDefault, after]) {
      assert.ok(
        !response.body.includes(VC_PASSWORD) && !response.body.includes(VC_PASSWORD_2),
        'password not in any response',
      );
    }

    // The raw row holds a versioned ciphertext, not the password.
    const row = await t.database.db
      .selectFrom('vmware_credentials')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.match(row.password, /^v1:/);
    assert.ok(!row.password.includes(VC_PASSWORD_2) && !row.password.includes(VC_PASSWORD));

    // The service opens it for code that talks to vCenter, and counts the use.
    const resolved = await t.ctx.services.vmwareCredentials.resolveForUse(id);
    assert.equal(resolved.password, VC_PASSWORD_2);
    const used = await t.app.inject({ method: 'GET', url: `/api/v1/vmware-credentials/${id}`, headers: t.admin });
    assert.equal(used.json<Json>().usage_count, 1);
    assert.equal(used.json<Json>().last_used, t.clock.now().toISOString());

    // A ciphertext copied to another row does not open there.
    await t.database.db
      .updateTable('vmware_credentials')
      .set({ password: row.password })
      .where('id', '=', secondId)
      .execute();
    await assert.rejects(t.ctx.services.vmwareCredentials.resolveForUse(secondId), /cannot be decrypted/);

    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/vmware-credentials/${id}`, headers: t.admin });
    assert.equal(deleted.statusCode, 204);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: `/api/v1/vmware-credentials/${id}`, headers: t.admin })).statusCode,
      404,
    );

    const logs = t.logs.slice(logStart).join('\n');
    assert.ok(logs.length > 0, 'the cycle was logged');
    assert.ok(!logs.includes(VC_PASSWORD) && !logs.includes(VC_PASSWORD_2), 'no password in the logs');

    const audit = await t.repositories.audit.list({ targetType: 'vmware_credential', limit: 50 });
    const actions = audit.items.map((e) => e.action);
    for (const action of [
      'vmware_credential.create',
      'vmware_credential.update',
      'vmware_credential.set_default',
      'vmware_credential.delete',
    ]) {
      assert.ok(actions.includes(action), action);
    }
    assert.ok(audit.items.every((e) => !(e.details ?? '').includes(VC_PASSWORD_2)));
    assert.ok(
      audit.items.some((e) => (e.details ?? '').includes('"password"')),
      'the update names the changed field',
    );
  },
);

test(
  'CloudStack configuration: host:port normalised, secret sealed, never returned or logged',
  { timeout: 120_000 },
  async () => {
    const logStart = t.logs.length;
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/api/v1/cloudstack/config', headers: t.admin })).statusCode,
      404,
    );
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cloudstack/config',
      headers: t.admin,
      payload: {
        name: 'cloud',
        api_url: 'cloud.example.com:8080',
        api_key: 'AK-123',
        secret_key: CS_SECRET,
        zone_id: 'zone-1',
        server_vm_id: 'vm-oma',
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const config = created.json<Json>();
    assert.deepEqual(
      [
        config.api_url,
        config.has_secret_key,
        config.is_active,
        config.zone_id,
        config.server_vm_id,
        'secret_key' in config,
      ],
      ['http://cloud.example.com:8080/client/api', true, true, 'zone-1', 'vm-oma', false],
    );

    const active = await t.app.inject({ method: 'GET', url: '/api/v1/cloudstack/config', headers: t.admin });
    assert.equal(active.json<Json>().id, config.id);
    const updated = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/cloudstack/config',
      headers: t.admin,
      payload: { secret_key: CS_SECRET_2, api_url: 'https://cloud.example.com' },
    });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.json<Json>().api_url, 'https://cloud.example.com/client/api');

    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cloudstack/config',
      headers: t.admin,
      payload: {
        name: 'standby',
        api_url: '10.0.0.9:8080',
        api_key: 'AK-9',
        secret_key: 'other-secret',
        is_active: false,
      },
    });
    assert.equal(other.json<Json>().is_active, false);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/cloudstack/configs', headers: t.admin });
    assert.equal(list.json<{ items: Json[] }>().items.length, 2);
    const activated = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cloudstack/configs/${String(other.json<Json>().id)}/activate`,
      headers: t.admin,
    });
    assert.equal(activated.json<Json>().is_active, true);
    const stillActive = await t.app.inject({ method: 'GET', url: '/api/v1/cloudstack/config', headers: t.admin });
    assert.equal(stillActive.json<Json>().name, 'standby', 'exactly one active configuration');

    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cloudstack/config',
      headers: t.admin,
      payload: { name: 'bad', api_url: 'ftp://x', api_key: 'k', secret_key: 's' },
    });
    assert.deepEqual([bad.statusCode, bad.json<{ error: Json }>().error.field], [400, 'body.api_url']);

    for (const response of [created, active, updated, list, activated]) {
      assert.ok(!response.body.includes(CS_SECRET) && !response.body.includes(CS_SECRET_2));
    }
    const row = await t.database.db
      .selectFrom('cloudstack_configs')
      .selectAll()
      .where('id', '=', String(config.id))
      .executeTakeFirstOrThrow();
    assert.match(row.secret_key, /^v1:/);
    assert.ok(!row.secret_key.includes(CS_SECRET_2));
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/cloudstack/configs/${String(config.id)}/activate`,
      headers: t.admin,
    });
    assert.equal((await t.ctx.services.cloudStackConfigs.resolveActive()).secretKey, CS_SECRET_2);

    const logs = t.logs.slice(logStart).join('\n');
    assert.ok(!logs.includes(CS_SECRET) && !logs.includes(CS_SECRET_2));
  },
);

test('pino redaction censors secrets that reach a log call by mistake', { timeout: 120_000 }, () => {
  const start = t.logs.length;
  t.deps.logger.info(
    {
      password: 'leak-1',
      credential: { secret_key: 'leak-2' },
      req: { headers: { authorization: 'Bearer leak-3', cookie: 'mk_session=leak-4' } },
      replicate: { nbd: { psk_key_hex: 'leak-5' } },
    },
    'oops',
  );
  const line = t.logs.slice(start).join('');
  assert.ok(line.includes('[redacted]'));
  for (const leak of ['leak-1', 'leak-2', 'leak-3', 'leak-4', 'leak-5']) assert.ok(!line.includes(leak), leak);
});

test(
  'a credential in use by managed VMs reports its usage and is only deleted with force',
  { timeout: 120_000 },
  async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vmware-credentials',
      headers: t.admin,
      payload: { name: 'in use', vcenter_host: 'vc.use.local', username: 'u', password: 'pw-in-use' },
    });
    const id = String(created.json<Json>().id);
    await t.repositories.contexts.create({
      context_id: 'ctx-db01-20260301-100000',
      vm_name: 'db01',
      vmware_vm_id: '4201-db01',
      vcenter_host: 'vc.use.local',
      credential_id: id,
    });
    const usage = await t.app.inject({
      method: 'GET',
      url: `/api/v1/vmware-credentials/${id}/usage`,
      headers: t.admin,
    });
    assert.equal(usage.statusCode, 200);
    assert.deepEqual(usage.json<Json>().contexts, [
      { context_id: 'ctx-db01-20260301-100000', vm_name: 'db01', current_status: 'discovered' },
    ]);
    const refused = await t.app.inject({ method: 'DELETE', url: `/api/v1/vmware-credentials/${id}`, headers: t.admin });
    assert.equal(refused.statusCode, 409);
    assert.deepEqual(refused.json<{ error: Json }>().error.details, { contexts_total: 1 });
    const forced = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/vmware-credentials/${id}?force=true`,
      headers: t.admin,
    });
    assert.equal(forced.statusCode, 204);
  },
);
