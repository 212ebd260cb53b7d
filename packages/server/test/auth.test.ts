import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, sessionCookieOf, ADMIN_PASSWORD, type TestApp } from './test-app';

let t: TestApp;
before(async () => {
  t = await createTestApp({ loginThrottle: { maxFailures: 3, windowMs: 60_000, maxEntries: 100 } });
});
after(() => t.close());

type Json = Record<string, unknown>;

test(
  'login sets an HttpOnly SameSite=Strict cookie that authenticates; logout ends it',
  { timeout: 120_000 },
  async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    assert.equal(login.statusCode, 200);
    const setCookie = String(login.headers['set-cookie']);
    assert.match(setCookie, /mk_session=mks_/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP: no Secure flag');
    assert.equal(login.json<{ user: Json }>().user.username, 'admin');
    assert.ok(!login.body.includes('password_hash'));

    const cookie = sessionCookieOf(login);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    assert.equal(me.statusCode, 200);
    assert.deepEqual([me.json<{ user: Json }>().user.role, me.json<Json>().auth], ['admin', 'session']);

    // Only the hash of the cookie is stored.
    const token = cookie.split('=')[1] ?? '';
    const rows = await t.database.db.selectFrom('sessions').select('id').execute();
    assert.ok(rows.length > 0 && rows.every((r) => r.id !== token && /^[0-9a-f]{64}$/.test(r.id)));

    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    assert.equal(logout.statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode, 401);
  },
);

test(
  'the session cookie is Secure when the client came over HTTPS through a trusted proxy',
  { timeout: 120_000 },
  async () => {
    const proxied = await createTestApp({ trustProxy: true });
    try {
      const login = await proxied.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { username: 'admin', password: ADMIN_PASSWORD },
      });
      assert.equal(login.statusCode, 200);
      assert.match(String(login.headers['set-cookie']), /; Secure/);
    } finally {
      await proxied.close();
    }
  },
);

test('a session expires after its lifetime on the injected clock', { timeout: 120_000 }, async () => {
  const { cookie } = await t.login('admin', ADMIN_PASSWORD);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode, 200);
  await t.clock.advance(60 * 60 * 1000 + 1);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode, 401);
});

test(
  'wrong passwords answer 401; after 3 failures the ip+username is rate limited until the window passes',
  { timeout: 120_000 },
  async () => {
    const attempt = (password: string, remoteAddress = '10.1.1.1') =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress,
        payload: { username: 'admin', password },
      });
    for (let i = 0; i < 3; i++) {
      const response = await attempt('wrong');
      assert.equal(response.statusCode, 401);
      assert.equal(response.json<{ error: Json }>().error.code, 'MKE_INVALID_CREDENTIALS');
    }
    const limited = await attempt(ADMIN_PASSWORD);
    assert.equal(limited.statusCode, 429, 'even the right password is refused while limited');
    assert.equal(limited.json<{ error: Json }>().error.code, 'MKE_RATE_LIMITED');
    assert.equal(limited.headers['retry-after'], '60');
    assert.equal((await attempt(ADMIN_PASSWORD, '10.1.1.2')).statusCode, 200, 'another client address is not limited');
    await t.clock.advance(60_000);
    assert.equal((await attempt(ADMIN_PASSWORD)).statusCode, 200);

    const unknownUser = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'ghost', password: 'x' },
    });
    assert.equal(unknownUser.statusCode, 401);
    assert.equal(unknownUser.json<{ error: Json }>().error.code, 'MKE_INVALID_CREDENTIALS');
  },
);

test('logins are audited, successes and failures, without the password', { timeout: 120_000 }, async () => {
  const events = await t.repositories.audit.list({ action: 'auth.login', limit: 100 });
  const outcomes = new Set(events.items.map((e) => e.outcome));
  assert.ok(outcomes.has('success') && outcomes.has('failure'));
  assert.ok(
    events.items.every((e) => !(e.details ?? '').includes(ADMIN_PASSWORD) && !(e.details ?? '').includes('wrong')),
  );
});

test('API tokens: shown once, stored hashed, accepted as bearer, revocable', { timeout: 120_000 }, async () => {
  const { cookie } = await t.login('admin', ADMIN_PASSWORD);
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/api-tokens',
    headers: { cookie },
    payload: { name: 'ci', expires_in_days: 30 },
  });
  assert.equal(created.statusCode, 201);
  const token = created.json<{ token: string; id: string; token_prefix: string }>();
  assert.match(token.token, /^mkt_[\w-]{43}$/);
  assert.ok(token.token.startsWith(token.token_prefix));

  const list = await t.app.inject({ method: 'GET', url: '/api/v1/api-tokens', headers: { cookie } });
  assert.ok(list.json<{ items: Json[] }>().items.some((i) => i.id === token.id));
  assert.ok(!list.body.includes(token.token), 'the value is never listed');
  const row = await t.database.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('id', '=', token.id)
    .executeTakeFirstOrThrow();
  assert.notEqual(row.token_hash, token.token);

  const bearer = { authorization: `Bearer ${token.token}` };
  const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer });
  assert.deepEqual([me.statusCode, me.json<Json>().auth], [200, 'token']);

  assert.equal(
    (await t.app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${token.id}`, headers: bearer })).statusCode,
    204,
  );
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode, 401);
});

test('an expired API token stops working', { timeout: 120_000 }, async () => {
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/api-tokens',
    headers: t.admin,
    payload: { name: 'short', expires_in_days: 1 },
  });
  const bearer = { authorization: `Bearer ${created.json<{ token: string }>().token}` };
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode, 200);
  await t.clock.advance(86_400_000 + 1);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode, 401);
});

test(
  'roles: viewer reads only, operator cannot manage users or credentials, admin can',
  { timeout: 120_000 },
  async () => {
    const viewer = await t.userWithRole('viewer');
    const operator = await t.userWithRole('operator');
    const credential = { name: 'vc', vcenter_host: 'vc.example.com', username: 'u', password: 'p' };

    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/api/v1/vmware-credentials', headers: viewer })).statusCode,
      200,
    );
    const viewerWrite = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vmware-credentials',
      headers: viewer,
      payload: credential,
    });
    assert.equal(viewerWrite.statusCode, 403);
    assert.equal(viewerWrite.json<{ error: Json }>().error.code, 'MKE_FORBIDDEN');
    assert.equal(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/vmware-credentials',
          headers: operator,
          payload: credential,
        })
      ).statusCode,
      403,
    );
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: operator })).statusCode, 403);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/api/v1/audit-events', headers: operator })).statusCode,
      403,
    );
    // Own tokens are fine for any role: a token carries no more than its owner's role.
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: viewer, payload: { name: 'mine' } }))
        .statusCode,
      201,
    );
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/api/v1/api-tokens?all=true', headers: viewer })).statusCode,
      403,
    );
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/api/v1/vmware-credentials', headers: t.admin, payload: credential }))
        .statusCode,
      201,
    );
  },
);

test(
  'users CRUD for admins; the last admin cannot be removed; deactivation ends sessions',
  { timeout: 120_000 },
  async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: t.admin,
      payload: { username: 'alice', password: 'alice-password', role: 'operator' },
    });
    assert.equal(created.statusCode, 201);
    const alice = created.json<{ id: string; role: string }>();
    assert.equal(alice.role, 'operator');
    assert.ok(!created.body.includes('alice-password') && !created.body.includes('password_hash'));
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: t.admin,
      payload: { username: 'alice', password: 'other-password', role: 'viewer' },
    });
    assert.deepEqual([dup.statusCode, dup.json<{ error: Json }>().error.field], [409, 'body.username']);

    const { cookie } = await t.login('alice', 'alice-password');
    const updated = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${alice.id}`,
      headers: t.admin,
      payload: { is_active: false },
    });
    assert.deepEqual([updated.statusCode, updated.json<Json>().is_active], [200, false]);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode, 401);

    const adminUser = (await t.repositories.users.getByUsername('admin'))!;
    const demote = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${adminUser.id}`,
      headers: t.admin,
      payload: { role: 'viewer' },
    });
    assert.equal(demote.statusCode, 409);
    assert.equal(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${adminUser.id}`, headers: t.admin })).statusCode,
      409,
    );

    assert.equal(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${alice.id}`, headers: t.admin })).statusCode,
      204,
    );
    assert.equal(
      (await t.app.inject({ method: 'GET', url: `/api/v1/users/${alice.id}`, headers: t.admin })).statusCode,
      404,
    );
    const audit = await t.repositories.audit.list({ targetId: alice.id, limit: 10 });
    assert.deepEqual(audit.items.map((e) => e.action).sort(), [
      'auth.login',
      'user.create',
      'user.delete',
      'user.update',
    ]);
  },
);

test(
  'changing your own password keeps this session, ends the others, and needs the current password',
  { timeout: 120_000 },
  async () => {
    await t.ctx.services.users.create({ username: 'bob', password: 'bob-password-1', role: 'viewer' });
    const first = await t.login('bob', 'bob-password-1');
    const second = await t.login('bob', 'bob-password-1');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: first,
      payload: { current_password: 'nope-nope', new_password: 'bob-password-2' },
    });
    assert.deepEqual([wrong.statusCode, wrong.json<{ error: Json }>().error.field], [401, 'body.current_password']);
    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: first,
      payload: { current_password: 'bob-password-1', new_password: 'bob-password-2' },
    });
    assert.equal(changed.statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: first })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: second })).statusCode, 401);
    await t.login('bob', 'bob-password-2');
  },
);
