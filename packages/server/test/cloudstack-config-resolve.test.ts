// CloudStackConfigService.resolve(id): any stored configuration (not just the active one) with its secret opened,
// for code that signs CloudStack requests; the row itself keeps only the sealed secret.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MigrateKitError } from '@migratekit/core';
import { createTestApp, type TestApp } from './test-app';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

async function createConfig(name: string, secret: string, isActive: boolean): Promise<string> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/cloudstack/config',
    headers: t.admin,
    payload: {
      name,
      api_url: 'cloud.example.com:8080',
      api_key: `key-${name}`,
      secret_key: secret,
      is_active: isActive,
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  return created.json<{ id: string }>().id;
}

test('resolve(id) opens the secret of a stored, inactive configuration', { timeout: 120_000 }, async () => {
  const activeId = await createConfig('active', 'secret-of-active', true);
  const otherId = await createConfig('other', 'secret-of-other', false);
  const configs = t.ctx.services.cloudStackConfigs;

  const other = await configs.resolve(otherId);
  assert.deepEqual(
    [other.id, other.name, other.apiUrl, other.apiKey, other.secretKey],
    [otherId, 'other', 'http://cloud.example.com:8080/client/api', 'key-other', 'secret-of-other'],
  );
  assert.equal((await configs.resolveActive()).id, activeId);
  const row = await t.repositories.cloudstackConfigs.get(otherId);
  assert.ok(row !== undefined && !row.secret_key.includes('secret-of-other'), 'the row holds the sealed secret');

  await assert.rejects(
    configs.resolve('csc-missing'),
    (error) => error instanceof MigrateKitError && error.code === 'MKE_NOT_FOUND',
  );
});

test(
  'the legacy /api/v1/ossea paths answer like /api/v1/cloudstack and are deprecated in OpenAPI',
  { timeout: 120_000 },
  async () => {
    const id = await createConfig('aliased', 'secret-of-aliased', false);
    const primary = await t.app.inject({ method: 'GET', url: `/api/v1/cloudstack/configs/${id}`, headers: t.admin });
    const legacy = await t.app.inject({ method: 'GET', url: `/api/v1/ossea/configs/${id}`, headers: t.admin });
    assert.equal(legacy.statusCode, 200);
    assert.deepEqual(legacy.json(), primary.json());

    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { deprecated?: boolean }>>;
    }>();
    const ossea = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/ossea/'));
    const cloudstack = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/cloudstack/'));
    assert.equal(ossea.length, cloudstack.length);
    assert.ok(ossea.length >= 6);
    for (const path of ossea)
      for (const op of Object.values(doc.paths[path] ?? {})) assert.equal(op.deprecated, true, path);
    for (const path of cloudstack)
      for (const op of Object.values(doc.paths[path] ?? {})) assert.notEqual(op.deprecated, true, path);
  },
);
