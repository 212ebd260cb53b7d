import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateSdk } from './codegen/generate-sdk';
import { loadOpenApiDocument } from './codegen/load-openapi';

// The committed SDK must be exactly what the generator makes from the server in this tree; otherwise the web
// app and the CLI compile against an API that no longer exists. Fix: npm run generate -w @migratekit/sdk
test('committed SDK matches the server OpenAPI document', { timeout: 120_000 }, async () => {
  const files = await generateSdk(await loadOpenApiDocument());
  for (const [name, text] of Object.entries(files)) {
    const committed = readFileSync(join(import.meta.dirname, 'generated', name), 'utf8');
    assert.ok(
      committed === text,
      `packages/sdk/src/generated/${name} is stale: run npm run generate -w @migratekit/sdk`,
    );
  }
});
