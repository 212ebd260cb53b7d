// A fresh data directory as `migratekit dev` leaves it (server part, as dev-stack.test.ts): the directory is
// 0700 and every file in it (database with -wal and -shm, master key, CLI token, first-admin password) 0600;
// a file an operator loosened is reported at the next start.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDevStack } from '../src/dev/dev-stack';
import { createLogger } from '../src/logging/logger';

function modes(dir: string): Map<string, number> {
  const out = new Map<string, number>([['.', statSync(dir).mode & 0o777]]);
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' }))
    out.set(entry, statSync(join(dir, entry)).mode & 0o777);
  return out;
}

test(
  'a fresh data directory is 0700 with every file 0600; a loosened file is warned about',
  { timeout: 120_000 },
  async (t) => {
    const parent = mkdtempSync(join(tmpdir(), 'mk-modes-'));
    t.after(() => rmSync(parent, { recursive: true, force: true }));
    const dataDir = join(parent, 'data');
    const env = { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' };
    const first = await startDevStack({
      env,
      logger: createLogger({ level: 'silent' }),
      estate: false,
      out: () => undefined,
    });
    let found: Map<string, number>;
    try {
      found = modes(dataDir);
    } finally {
      await first.close();
    }
    for (const file of ['migratekit.db', 'migratekit.db-wal', 'master.key', 'cli-token', 'admin-password'])
      assert.ok(found.has(file), `${file} exists (found ${[...found.keys()].join(', ')})`);
    for (const [entry, mode] of found)
      assert.equal(mode.toString(8), entry === '.' ? '700' : '600', `${entry} is ${mode.toString(8)}`);

    chmodSync(join(dataDir, 'master.key'), 0o644);
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const second = await startDevStack({ env, logger, estate: false, out: () => undefined });
    await second.close();
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.mode === '0644');
    assert.equal(warning?.path, join(dataDir, 'master.key'));
  },
);
