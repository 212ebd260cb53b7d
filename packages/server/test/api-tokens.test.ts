// API tokens show when they were last used and can be revoked; a revoked token stays listed as revoked.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './test-app';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

type TokenView = { id: string; last_used_at: string | null; revoked_at: string | null };

test('a token shows its last use; revoked, it stops working and reads as revoked', { timeout: 60_000 }, async () => {
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/api-tokens',
    headers: t.admin,
    payload: { name: 'ci' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const { id, token } = created.json<{ id: string; token: string }>();
  const view = async (): Promise<TokenView> => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/api-tokens/${id}`, headers: t.admin });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(!response.body.includes(token), 'never the value');
    return response.json<TokenView>();
  };
  assert.equal((await view()).last_used_at, null, 'not used yet');

  await t.clock.advance(60_000);
  const bearer = { authorization: `Bearer ${token}` };
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode, 200);
  assert.equal((await view()).last_used_at, t.clock.now().toISOString());

  const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${id}`, headers: t.admin });
  assert.equal(revoked.statusCode, 204);
  assert.notEqual((await view()).revoked_at, null);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode, 401);

  const viewer = await t.userWithRole('viewer');
  const hidden = await t.app.inject({ method: 'GET', url: `/api/v1/api-tokens/${id}`, headers: viewer });
  assert.equal(hidden.statusCode, 404, "another user's token is not confirmed to exist");
});
