// The dashboard reads only what the API returns. The main guard is the web typecheck (`npm run typecheck` runs
// `tsc -p packages/web`) against the SDK generated from the server's OpenAPI document; these tests prove that
// the guard holds: every operation the dashboard calls has a closed response schema (so its SDK type lists
// exactly the fields the server sends), and reading a field the API does not return fails to compile.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { operationList } from '@migratekit/sdk';
import ts from 'typescript';
import { loadOpenApiDocument } from '../../sdk/src/codegen/load-openapi';

const WEB = resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry) && !entry.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every `api.ops.<operation>` the dashboard source calls. */
function operationsTheWebCalls(): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles(join(WEB, 'src')))
    for (const match of readFileSync(file, 'utf8').matchAll(/\bapi\.ops\.(\w+)/g)) if (match[1]) names.add(match[1]);
  return [...names].sort();
}

type Schema = Record<string, unknown>;

/** Paths inside a response schema where an object with declared properties also accepts undeclared ones. */
function openObjects(schema: unknown, at: string): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as Schema;
  const found: string[] = [];
  if (s.properties !== undefined && s.additionalProperties !== undefined && s.additionalProperties !== false)
    found.push(at);
  for (const [key, value] of Object.entries((s.properties as Schema | undefined) ?? {}))
    found.push(...openObjects(value, `${at}.${key}`));
  if (s.items !== undefined) found.push(...openObjects(s.items, `${at}[]`));
  for (const key of ['anyOf', 'oneOf', 'allOf'])
    for (const [i, value] of ((s[key] as unknown[] | undefined) ?? []).entries())
      found.push(...openObjects(value, `${at}|${i}`));
  return found;
}

describe('the dashboard and the API contract', { timeout: 120_000 }, () => {
  let paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, Schema> }> }>>;
  before(async () => {
    paths = (await loadOpenApiDocument()).paths as typeof paths;
  });

  test('every operation the dashboard calls answers 2xx with a closed JSON schema (or 204)', () => {
    const called = operationsTheWebCalls();
    assert.ok(called.length >= 20, `found ${called.length} operations: ${called.join(', ')}`);
    for (const name of called) {
      const op = operationList.find((o) => o.name === name);
      assert.ok(op, `${name} is no operation of the SDK`);
      const responses = paths[op.path]?.[op.method]?.responses ?? {};
      const success = Object.entries(responses).filter(([code]) => code.startsWith('2'));
      assert.ok(success.length > 0, `${name}: no 2xx response in the OpenAPI document`);
      for (const [code, response] of success) {
        if (code === '204') continue;
        const schema = response.content?.['application/json']?.schema;
        assert.ok(schema, `${name} ${code}: no JSON schema, so its SDK type is unknown`);
        assert.deepEqual(openObjects(schema, `${name} ${code}`), [], `${name} ${code}: objects open to any field`);
      }
    }
  });

  test('the open-object check finds an open object', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'object', properties: {}, additionalProperties: true } },
    };
    assert.deepEqual(openObjects(schema, 'x'), ['x.a']);
  });

  test('reading a field the API does not return fails the web typecheck', () => {
    const configPath = join(WEB, 'tsconfig.json');
    const config = ts.parseJsonConfigFileContent(
      ts.readConfigFile(configPath, (f) => ts.sys.readFile(f)).config,
      ts.sys,
      WEB,
    );
    const probe = join(WEB, 'test', 'contract-probe.ts');
    const probeText = [
      "import type { VmContext } from '../src/api/models';",
      'declare const vm: VmContext;',
      'export const returned = vm.last_successful_sync_at;',
      'export const neverReturned = vm.next_run_at;',
    ].join('\n');
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const readFile = host.readFile.bind(host);
    host.fileExists = (f) => f === probe || fileExists(f);
    host.readFile = (f) => (f === probe ? probeText : readFile(f));
    host.getSourceFile = (f, ...rest) =>
      f === probe ? ts.createSourceFile(f, probeText, ts.ScriptTarget.ES2022) : getSourceFile(f, ...rest);
    const program = ts.createProgram({ rootNames: [probe], options: { ...config.options, noEmit: true }, host });
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === probe)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /next_run_at/);
  });
});
