// Reads the OpenAPI document from the server app itself, started in-process on an in-memory SQLite database and
// an ephemeral loopback port, so the SDK always describes the code in this tree.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerConfig, startServer } from '@migratekit/server';
import type { OpenAPI3 } from 'openapi-typescript';
import pino from 'pino';

export async function loadOpenApiDocument(): Promise<OpenAPI3> {
  const dataDir = mkdtempSync(join(tmpdir(), 'migratekit-sdk-'));
  const config = loadServerConfig({
    MIGRATEKIT_DATA_DIR: dataDir,
    DATABASE_URL: 'sqlite::memory:',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MIGRATEKIT_MASTER_KEY: randomBytes(32).toString('base64'),
    // A throwaway in-memory server: its admin is never used, so its password is random.
    MIGRATEKIT_ADMIN_PASSWORD: randomBytes(24).toString('base64url'),
  });
  const server = await startServer({ config, logger: pino({ level: 'silent' }) });
  try {
    const res = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    if (res.statusCode !== 200)
      throw new Error(`GET /api/openapi.json answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
    return JSON.parse(res.body) as OpenAPI3;
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
