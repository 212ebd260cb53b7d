// POST /api/v1/discover with a partial inline vCenter login: refused with a 400 naming the missing field
// before anything else happens (it used to fall back to the stored default credential silently).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './test-app';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('a partial inline vCenter login is a 400 naming the missing field', { timeout: 60_000 }, async () => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/discover',
    headers: t.admin,
    payload: { vcenter: 'vc.example.com', username: 'administrator@vsphere.local' },
  });
  assert.equal(response.statusCode, 400, response.body);
  const { error } = response.json<{ error: { code: string; field?: string } }>();
  assert.equal(error.code, 'MKE_VALIDATION');
  assert.equal(error.field, 'body.password');
});
