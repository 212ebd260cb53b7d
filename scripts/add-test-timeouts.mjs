#!/usr/bin/env node
// Adds a `timeout` option to every test()/describe() that is not inside another one, in the given test files
// (default: every *.test.ts under packages/), as the lint rule in eslint.config.mjs asks. Run prettier after.
//   node scripts/add-test-timeouts.mjs [files...]
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ts = createRequire(import.meta.url)('typescript');
const NAMES = new Set(['test', 'describe', 'it', 'suite']);
/** A test; a suite's limit covers all its tests. The file watchdog in run-tests.mjs is 5 minutes. */
const LIMIT = { test: '120_000', it: '120_000', describe: '300_000', suite: '300_000' };

const isTestCall = (node) =>
  ts.isCallExpression(node) && ts.isIdentifier(node.expression) && NAMES.has(node.expression.text);

function isNested(node) {
  for (let p = node.parent; p; p = p.parent) if (isTestCall(p)) return true;
  return false;
}

function edits(sf) {
  const out = [];
  const visit = (node) => {
    if (isTestCall(node) && !isNested(node) && node.arguments.length >= 2) {
      const ms = LIMIT[node.expression.text];
      const second = node.arguments[1];
      if (ts.isObjectLiteralExpression(second)) {
        const named = second.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'timeout');
        if (!named) out.push({ at: second.getStart(sf) + 1, text: ` timeout: ${ms},` });
      } else if (ts.isArrowFunction(second) || ts.isFunctionExpression(second))
        out.push({ at: second.getStart(sf), text: `{ timeout: ${ms} }, ` });
      else console.error(`${sf.fileName}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: add by hand`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.sort((a, b) => b.at - a.at);
}

function collect(dir, out) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files =
  process.argv.length > 2 ? process.argv.slice(2) : collect(new URL('../packages', import.meta.url).pathname, []);
for (const file of files) {
  let text = readFileSync(file, 'utf8');
  const changes = edits(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));
  for (const { at, text: insert } of changes) text = text.slice(0, at) + insert + text.slice(at);
  if (changes.length) {
    writeFileSync(file, text);
    console.log(`${file}: ${changes.length}`);
  }
}
