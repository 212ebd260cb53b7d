#!/usr/bin/env node
// Runs every *.test.ts under packages/ with node:test (through tsx). Arguments filter by path substring:
//   npm test -- nbd cloudstack
// Each file has a watchdog: a file still running after MIGRATEKIT_TEST_FILE_TIMEOUT_MS (default 5 minutes)
// has its process killed and fails under its own name (node's --test-timeout applies to each file's test).
// The spec output, closing summary included, is node's own; the slowest ten files are listed after it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const fileTimeoutMs = Number(process.env.MIGRATEKIT_TEST_FILE_TIMEOUT_MS ?? 300_000);

function collect(dir, out) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

/** The per-file times test-file-clock.mjs recorded, slowest first. */
function fileTimes(timingsFile) {
  let text = '';
  try {
    text = readFileSync(timingsFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [ms, file] = line.split('\t');
      return { ms: Number(ms), file: relative(root, file ?? '') };
    })
    .sort((a, b) => b.ms - a.ms);
}

function printTimes(timingsFile) {
  const times = fileTimes(timingsFile);
  const top = times.slice(0, 10);
  if (top.length) {
    console.log(`\nslowest ${top.length} test files (file watchdog ${fileTimeoutMs / 1000} s):`);
    for (const { ms, file } of top) console.log(`${(ms / 1000).toFixed(1).padStart(8)} s  ${file}`);
  }
  const exited = new Set(times.map((t) => t.file));
  const unfinished = files.filter((f) => !exited.has(f));
  if (unfinished.length) console.log(`test files that did not exit (watchdog or crash): ${unfinished.join(', ')}`);
}

const files = collect(join(root, 'packages'), [])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.MIGRATEKIT_TEST_CONCURRENCY ?? '2';
const scratch = mkdtempSync(join(tmpdir(), 'migratekit-test-timings-'));
const timingsFile = join(scratch, 'files.tsv');
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    join(root, 'scripts/test-file-clock.mjs'),
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${fileTimeoutMs}`,
    '--test-reporter=spec',
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', MIGRATEKIT_TEST_TIMINGS: timingsFile } },
);
child.on('exit', (code, signal) => {
  printTimes(timingsFile);
  rmSync(scratch, { recursive: true, force: true });
  process.exit(signal ? 1 : (code ?? 1));
});
