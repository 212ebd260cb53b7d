// Walks the OpenAPI document and, for every operation, sends malformed JSON and wrong-typed bodies, query
// parameters and path parameters (authenticated as admin, so auth never masks validation). Every answer must
// be a 400 naming the field; none may be a 500. Routes added later are covered without touching this file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from './test-app';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  const?: unknown;
  minimum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  items?: JsonSchema;
}
interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let t: TestApp;
let operations: { method: Method; path: string; op: Operation }[] = [];
before(async () => {
  t = await createTestApp();
  const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
    paths: Record<string, Record<string, Operation>>;
  }>();
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase() as Method, path, op })),
  );
});
after(() => t.close());

function typesOf(schema: JsonSchema): string[] {
  if (schema.anyOf !== undefined) return schema.anyOf.flatMap(typesOf);
  if (schema.const !== undefined) return [typeof schema.const];
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type === undefined ? [] : [schema.type];
}

/** A JSON value of a type the schema does not accept, or undefined when it accepts anything. */
function wrongJsonValue(schema: JsonSchema): unknown {
  const types = typesOf(schema);
  if (types.length === 0) return undefined;
  const candidates: [string, unknown][] = [
    ['object', { unexpected: true }],
    ['array', [1, 2]],
    ['boolean', true],
    ['string', 'not-the-right-type'],
  ];
  const found = candidates.find(([type]) => !types.includes(type));
  return found?.[1];
}

/** A query/path text the schema rejects, or undefined when any text is acceptable. */
function wrongText(schema: JsonSchema): string | undefined {
  const types = typesOf(schema);
  if (types.includes('integer') || types.includes('number')) return 'not-a-number';
  if (types.includes('boolean')) return 'not-a-boolean';
  if (schema.enum !== undefined || schema.anyOf?.every((s) => s.const !== undefined)) return 'zz-not-an-allowed-value';
  if (schema.maxLength !== undefined) return 'x'.repeat(schema.maxLength + 1);
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test('!!')) return '!!';
  return undefined;
}

/** An accepted text for a parameter (the first allowed value), so that a wrong sibling is the only error. */
function validText(schema: JsonSchema): string {
  const allowed = [schema, ...(schema.anyOf ?? [])].map((s) => s.const ?? s.enum?.[0]).find((v) => v !== undefined);
  if (allowed !== undefined) return typeof allowed === 'string' ? allowed : JSON.stringify(allowed);
  const types = typesOf(schema);
  if (types.includes('integer') || types.includes('number')) return '1';
  return types.includes('boolean') ? 'true' : 'test-value';
}

function fillPath(path: string, params: Parameter[], override?: { name: string; value: string }): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (override?.name === name) return encodeURIComponent(override.value);
    const schema = params.find((p) => p.name === name)?.schema ?? {};
    const types = typesOf(schema);
    // A path segment from a fixed set (a failover type) gets an allowed value, so a wrong sibling is the only error.
    if (schema.enum !== undefined || schema.anyOf?.every((s) => s.const !== undefined || s.enum !== undefined) === true)
      return validText(schema);
    return types.includes('integer') || types.includes('number') ? '1' : 'test-id';
  });
}

function assertBadInput(
  response: LightMyRequestResponse,
  label: string,
  expectedField: (field: string) => boolean,
): void {
  assert.notEqual(response.statusCode, 500, `${label}: answered 500 ${response.body}`);
  assert.equal(response.statusCode, 400, `${label}: ${response.statusCode} ${response.body}`);
  const error = response.json<{ error: { code: string; field?: string } }>().error;
  assert.equal(error.code, 'MKE_VALIDATION', label);
  assert.ok(typeof error.field === 'string' && expectedField(error.field), `${label}: field ${String(error.field)}`);
}

test('the walk covers the API (sanity check of the document)', { timeout: 120_000 }, () => {
  assert.ok(operations.length >= 20, `only ${operations.length} operations`);
  assert.ok(operations.some((o) => o.op.requestBody !== undefined));
});

test(
  'every operation with a body: malformed JSON, a non-object body and each wrong-typed field answer 400',
  { timeout: 120_000 },
  async () => {
    let checked = 0;
    for (const { method, path, op } of operations) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (schema === undefined) continue;
      const params = op.parameters ?? [];
      const url = fillPath(path, params);
      const label = `${method} ${path}`;
      const send = (payload: string) =>
        t.app.inject({ method, url, headers: { ...t.admin, 'content-type': 'application/json' }, payload });

      assertBadInput(await send('{"broken": '), `${label} malformed`, (f) => f === 'body');
      assertBadInput(await send('"just a string"'), `${label} string body`, (f) => f.startsWith('body'));
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const wrong = wrongJsonValue(property);
        if (wrong === undefined) continue;
        const response = await send(JSON.stringify({ [name]: wrong }));
        // With allErrors off, Ajv may report a missing required field first; either way the field is named.
        assertBadInput(response, `${label} body.${name}=${JSON.stringify(wrong)}`, (f) => f.startsWith('body.'));
        checked += 1;
      }
    }
    assert.ok(checked > 20, `only ${checked} wrong-typed body fields were tried`);
  },
);

test('every typed query or path parameter rejects a wrong value with 400 naming it', { timeout: 120_000 }, async () => {
  let checked = 0;
  for (const { method, path, op } of operations) {
    const params = op.parameters ?? [];
    for (const param of params) {
      if (param.in !== 'query' && param.in !== 'path') continue;
      const wrong = wrongText(param.schema ?? {});
      if (wrong === undefined) continue;
      const label = `${method} ${path} ${param.in}.${param.name}=${wrong.slice(0, 20)}`;
      const url =
        param.in === 'path'
          ? fillPath(path, params, { name: param.name, value: wrong })
          : `${fillPath(path, params)}?${new URLSearchParams({
              ...Object.fromEntries(
                params
                  .filter((p) => p.in === 'query' && p.required === true && p.name !== param.name)
                  .map((p) => [p.name, validText(p.schema ?? {})]),
              ),
              [param.name]: wrong,
            }).toString()}`;
      const hasBody = op.requestBody !== undefined;
      const response = await t.app.inject({ method, url, headers: t.admin, ...(hasBody ? { payload: {} } : {}) });
      const prefix = param.in === 'path' ? 'params' : 'query';
      assertBadInput(response, label, (f) => f === `${prefix}.${param.name}` || (hasBody && f.startsWith('body')));
      checked += 1;
    }
  }
  assert.ok(checked >= 10, `only ${checked} parameters were tried`);
});
