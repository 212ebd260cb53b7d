import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MigrateKitError, VERSION } from '@migratekit/core';
import type { RoutePlugin } from '../src/app-context';
import { createTestApp, type TestApp } from './test-app';

// Routes that fail on purpose, to prove how unexpected and catalogued errors are rendered.
const failingRoutes: RoutePlugin = (app) => {
  app.get('/api/v1/test/boom', () => {
    throw new Error('database password=hunter2 at /srv/internal/file.ts:42');
  });
  app.get('/api/v1/test/conflict', () => {
    throw new MigrateKitError('MKE_ILLEGAL_TRANSITION', {
      message: 'Context is replicating',
      details: { current_status: 'replicating' },
    });
  });
};

let t: TestApp;
before(async () => {
  t = await createTestApp({ extraRoutes: [failingRoutes] });
});
after(() => t.close());

test('health answers without auth: status, version, engine, uptime', { timeout: 120_000 }, async () => {
  await t.clock.advance(5_000);
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
  assert.equal(response.statusCode, 200);
  const body = response.json<Record<string, unknown>>();
  assert.deepEqual(body, { status: 'ok', version: VERSION, database: 'sqlite', uptime_seconds: 5 });
  assert.match(String(response.headers['x-request-id']), /^req-[0-9a-f]{16}$/);
});

test('an /api/v1 route without credentials answers 401 in the error shape', { timeout: 120_000 }, async () => {
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/users' });
  assert.equal(response.statusCode, 401);
  const body = response.json<{ error: Record<string, unknown> }>();
  assert.equal(body.error.code, 'MKE_UNAUTHENTICATED');
  assert.equal(typeof body.error.message, 'string');
  assert.equal(body.error.request_id, response.headers['x-request-id']);
  const badHeader = await t.app.inject({
    method: 'GET',
    url: '/api/v1/users',
    headers: { authorization: 'Basic YTpi' },
  });
  assert.equal(badHeader.statusCode, 401);
  const badToken = await t.app.inject({
    method: 'GET',
    url: '/api/v1/users',
    headers: { authorization: 'Bearer mkt_nope' },
  });
  assert.equal(badToken.statusCode, 401);
});

test('unknown routes answer 404 MKE_ROUTE_NOT_FOUND in the same shape', { timeout: 120_000 }, async () => {
  // Other GET paths belong to the dashboard's client-side routes; API paths and other methods do not.
  for (const [method, url] of [
    ['GET', '/api/v1/nope'],
    ['GET', '/api/nope'],
    ['POST', '/nope'],
  ] as const) {
    const response = await t.app.inject({ method, url, headers: t.admin });
    assert.equal(response.statusCode, 404, url);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'MKE_ROUTE_NOT_FOUND');
  }
});

test('malformed JSON, empty JSON, wrong content type and oversize bodies', { timeout: 120_000 }, async () => {
  const malformed = await t.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { ...t.admin, 'content-type': 'application/json' },
    payload: '{"username": ',
  });
  assert.equal(malformed.statusCode, 400);
  assert.deepEqual(
    {
      code: malformed.json<{ error: { code: string; field: string } }>().error.code,
      field: malformed.json<{ error: { field: string } }>().error.field,
    },
    { code: 'MKE_VALIDATION', field: 'body' },
  );

  const empty = await t.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { ...t.admin, 'content-type': 'application/json' },
    payload: '',
  });
  assert.equal(empty.statusCode, 400);
  assert.equal(empty.json<{ error: { field: string } }>().error.field, 'body');

  const text = await t.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { ...t.admin, 'content-type': 'text/plain' },
    payload: 'hi',
  });
  assert.equal(text.statusCode, 415);
  assert.equal(text.json<{ error: { code: string } }>().error.code, 'MKE_UNSUPPORTED_MEDIA');

  const big = await t.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { ...t.admin, 'content-type': 'application/json' },
    payload: JSON.stringify({ username: 'x'.repeat(100_000), password: 'p', role: 'viewer' }),
  });
  assert.equal(big.statusCode, 413);
  assert.equal(big.json<{ error: { code: string } }>().error.code, 'MKE_PAYLOAD_TOO_LARGE');
});

test('validation errors name the field: body, query and params', { timeout: 120_000 }, async () => {
  const cases: { url: string; method: 'GET' | 'POST'; payload?: unknown; field: string }[] = [
    { method: 'POST', url: '/api/v1/users', payload: { username: 'ok', password: 'password-1' }, field: 'body.role' },
    {
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 5, password: 'password-1', role: 'viewer' },
      field: 'body.username',
    },
    {
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'ok', password: 'password-1', role: 'root' },
      field: 'body.role',
    },
    {
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'ok', password: 'password-1', role: 'viewer', extra: 1 },
      field: 'body.extra',
    },
    { method: 'POST', url: '/api/v1/users', payload: [1, 2], field: 'body' },
    { method: 'GET', url: '/api/v1/audit-events?limit=abc', field: 'query.limit' },
    { method: 'GET', url: '/api/v1/audit-events?limit=0', field: 'query.limit' },
    { method: 'GET', url: '/api/v1/audit-events?colour=red', field: 'query.colour' },
  ];
  for (const c of cases) {
    const response = await t.app.inject({
      method: c.method,
      url: c.url,
      headers: t.admin,
      ...(c.payload === undefined ? {} : { payload: c.payload as object }),
    });
    assert.equal(response.statusCode, 400, `${c.url} ${JSON.stringify(c.payload)}: ${response.body}`);
    const error = response.json<{ error: { code: string; field: string; message: string } }>().error;
    assert.equal(error.code, 'MKE_VALIDATION');
    assert.equal(error.field, c.field, JSON.stringify(c.payload));
    assert.ok(error.message.startsWith(c.field), error.message);
  }
});

test('an unexpected error is a 500 with the request id and none of the internals', { timeout: 120_000 }, async () => {
  const before = t.logs.length;
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/test/boom', headers: t.admin });
  assert.equal(response.statusCode, 500);
  const body = response.json<{ error: Record<string, unknown> }>();
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'request_id']);
  assert.equal(body.error.code, 'MKE_INTERNAL');
  assert.equal(body.error.request_id, response.headers['x-request-id']);
  assert.ok(!response.body.includes('hunter2') && !response.body.includes('/srv/internal'));
  const logged = t.logs.slice(before).find((line) => line.includes('unexpected error'));
  assert.ok(
    logged?.includes(String(body.error.request_id)),
    'the server log carries the error under the same request id',
  );
});

test('a MigrateKitError answers with its catalogue status, code and details', { timeout: 120_000 }, async () => {
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/test/conflict', headers: t.admin });
  assert.equal(response.statusCode, 409);
  const error = response.json<{ error: { code: string; message: string; details: unknown } }>().error;
  assert.equal(error.code, 'MKE_ILLEGAL_TRANSITION');
  assert.equal(error.message, 'Context is replicating');
  assert.deepEqual(error.details, { current_status: 'replicating' });
});

test('OpenAPI document and docs UI are served', { timeout: 120_000 }, async () => {
  const doc = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
  assert.equal(doc.statusCode, 200);
  const spec = doc.json<{ openapi: string; paths: Record<string, unknown> }>();
  assert.match(spec.openapi, /^3\./);
  for (const path of [
    '/api/v1/health',
    '/api/v1/auth/login',
    '/api/v1/vmware-credentials/{id}',
    '/api/v1/cloudstack/config',
  ]) {
    assert.ok(path in spec.paths, path);
  }
  const ui = await t.app.inject({ method: 'GET', url: '/api/docs/' });
  assert.equal(ui.statusCode, 200);
  assert.match(ui.body, /swagger/i);
});

test('/metrics needs auth and exposes the request histogram by route template', { timeout: 120_000 }, async () => {
  assert.equal((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  await t.app.inject({ method: 'GET', url: '/api/v1/health' });
  const response = await t.app.inject({ method: 'GET', url: '/metrics', headers: t.admin });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/plain/);
  assert.match(
    response.body,
    /migratekit_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/health",status_code="200"\} \d+/,
  );
  assert.match(response.body, /migratekit_process_cpu_user_seconds_total/);
});

test('health answers 503 "unavailable" when the database does not answer', { timeout: 120_000 }, async () => {
  const broken = await createTestApp();
  try {
    await broken.database.db.destroy();
    const response = await broken.app.inject({ method: 'GET', url: '/api/v1/health' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json<{ status: string }>().status, 'unavailable');
  } finally {
    await broken.close();
  }
});
