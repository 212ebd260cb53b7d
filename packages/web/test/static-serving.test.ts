import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDevStack } from '@migratekit/server/dev';
import type { DevStack } from '@migratekit/server/dev';
import { ensureWebBuilt, WEB_DIST } from '../scripts/ensure-built';

// The server serves the built dashboard at `/`: hashed assets cached for good, index.html revalidated, client
// routes answered with index.html, and API paths never swallowed by the SPA fallback.
let stack: DevStack;
let dataDir: string;

before(async () => {
  ensureWebBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'migratekit-static-'));
  stack = await startDevStack({
    env: {
      MIGRATEKIT_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MIGRATEKIT_ADMIN_PASSWORD: 'static-test-pass',
    },
    out: () => undefined,
    // The demo guests' disk writes would make the pages' numbers drift between assertions.
    guestWrites: false,
  });
});

after(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('index.html is served at / and for client routes, revalidated on every load', { timeout: 120_000 }, async () => {
  for (const path of ['/', '/vms', '/jobs/job-123', '/settings?tab=users']) {
    const res = await fetch(`${stack.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/, path);
    assert.equal(res.headers.get('cache-control'), 'no-cache', path);
    assert.match(await res.text(), /<div id="root"/, path);
  }
});

test('hashed assets are cached for a year', { timeout: 120_000 }, async () => {
  const asset = readdirSync(join(WEB_DIST, 'assets')).find((f) => f.endsWith('.js'));
  assert.ok(asset, 'the build has a JavaScript asset');
  const res = await fetch(`${stack.url}/assets/${asset}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /javascript/);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
});

test('unknown API paths answer the API 404, not the dashboard', { timeout: 120_000 }, async () => {
  const res = await fetch(`${stack.url}/api/v1/no-such-thing`);
  assert.equal(res.status, 404);
  const body = (await res.json()) as { error?: { code?: string } };
  assert.equal(body.error?.code, 'MKE_ROUTE_NOT_FOUND');
});
