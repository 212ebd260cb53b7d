import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listOperations, operationName } from './codegen/generate-sdk';
import { ApiError, buildUrl, createHttp, errorFromBody } from './http';

test('operation names come from operationId, else from method and path', { timeout: 120_000 }, () => {
  assert.equal(operationName('post', '/api/v1/vmware-credentials/{id}/test'), 'postVmwareCredentialsByIdTest');
  assert.equal(operationName('get', '/api/v1/jobs/by-external-id/{id}'), 'getJobsByExternalIdById');
  assert.equal(operationName('get', '/api/openapi.json'), 'getOpenapiJson');
  assert.equal(operationName('get', '/x', 'listJobs'), 'listJobs');
});

test('colliding operation names get a numeric suffix', { timeout: 120_000 }, () => {
  const ops = listOperations({
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {
      '/a': { get: { operationId: 'same', responses: {} } },
      '/b': { get: { operationId: 'same', responses: {} } },
    },
  });
  assert.deepEqual(
    ops.map((o) => o.name),
    ['same', 'same2'],
  );
});

test('buildUrl fills and encodes path parameters and drops empty query values', { timeout: 120_000 }, () => {
  assert.equal(
    buildUrl('http://h', '/api/v1/jobs/{id}', { path: { id: 'a/b' }, query: { limit: 5, q: undefined, x: null } }),
    'http://h/api/v1/jobs/a%2Fb?limit=5',
  );
  assert.throws(() => buildUrl('', '/api/v1/jobs/{id}', {}), /missing path parameter id/);
  assert.equal(
    buildUrl('', '/api/v1/jobs', { query: { status: ['failed', 'cancelled'] } }),
    '/api/v1/jobs?status=failed&status=cancelled',
  );
});

test('errorFromBody reads the API error shape and the legacy shapes', { timeout: 120_000 }, () => {
  const e = errorFromBody(409, 'Conflict', {
    error: {
      code: 'MKE_CONTEXT_EXISTS',
      message: 'VM already exists in management',
      details: { existing_context_id: 'ctx-1' },
    },
  });
  assert.equal(e.message, 'VM already exists in management');
  assert.equal(e.code, 'MKE_CONTEXT_EXISTS');
  assert.equal(e.field('existing_context_id'), 'ctx-1');
  const legacy = errorFromBody(409, 'Conflict', {
    error: 'VM already exists in management',
    existing_context_id: 'ctx-2',
  });
  assert.equal(legacy.message, 'VM already exists in management');
  assert.equal(legacy.field('existing_context_id'), 'ctx-2');
  assert.equal(errorFromBody(502, 'Bad Gateway', '').message, '502 Bad Gateway');
});

test(
  'createHttp sends JSON with the bearer token and throws ApiError, calling onUnauthorized on 401',
  { timeout: 120_000 },
  async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    let unauthorized = 0;
    const fakeFetch = ((url: string, init: RequestInit) => {
      seen.push({ url, init });
      if (url.endsWith('/denied'))
        return new Response(JSON.stringify({ error: { code: 'MKE_UNAUTHENTICATED', message: 'Login required' } }), {
          status: 401,
        });
      return Promise.resolve(new Response(JSON.stringify({ ok: true }), { status: 200 }));
    }) as typeof fetch;
    const http = createHttp({
      baseUrl: 'http://srv/',
      token: 't0k',
      fetch: fakeFetch,
      onUnauthorized: () => unauthorized++,
    });
    assert.deepEqual(await http.request('post', '/api/v1/x', { body: { a: 1 } }), { ok: true });
    assert.equal(seen[0]?.url, 'http://srv/api/v1/x');
    assert.equal((seen[0]?.init.headers as Record<string, string>).authorization, 'Bearer t0k');
    assert.equal(seen[0]?.init.body, '{"a":1}');
    await assert.rejects(
      http.request('get', '/denied'),
      (e: unknown) => e instanceof ApiError && e.status === 401 && e.message === 'Login required',
    );
    assert.equal(unauthorized, 1);
  },
);
