import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeMasterKey, loadOrCreateMasterKey } from './master-key';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mk-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('decodeMasterKey accepts 32 bytes as hex or base64 and explains anything else', { timeout: 120_000 }, () => {
  const key = randomBytes(32);
  assert.deepEqual(decodeMasterKey(key.toString('hex')), key);
  assert.deepEqual(decodeMasterKey(key.toString('base64')), key);
  assert.deepEqual(decodeMasterKey(key.toString('base64url')), key);
  assert.match(String(decodeMasterKey(randomBytes(16).toString('base64'))), /32 bytes, got 16/);
  assert.match(String(decodeMasterKey('not a key!')), /base64 or 64 hex/);
});

test('the key file is created once with mode 0600 and reused on the next start', { timeout: 120_000 }, (t) => {
  const dir = tempDir(t);
  const first = loadOrCreateMasterKey(undefined, join(dir, 'data'));
  assert.equal(first.origin, 'file-created');
  assert.ok(first.path !== undefined);
  assert.equal(statSync(first.path).mode & 0o777, 0o600);
  const second = loadOrCreateMasterKey(undefined, join(dir, 'data'));
  assert.equal(second.origin, 'file-existing');
  assert.deepEqual(second.key, first.key);
  assert.deepEqual(decodeMasterKey(readFileSync(first.path, 'utf8')), first.key);
});

test(
  'MIGRATEKIT_MASTER_KEY wins over the file, and a bad file is reported with its path',
  { timeout: 120_000 },
  (t) => {
    const dir = tempDir(t);
    const key = randomBytes(32);
    const fromEnv = loadOrCreateMasterKey(key.toString('hex'), dir);
    assert.equal(fromEnv.origin, 'env');
    assert.deepEqual(fromEnv.key, key);
    writeFileSync(join(dir, 'master.key'), 'short', { mode: 0o600 });
    assert.throws(() => loadOrCreateMasterKey(undefined, dir), /master\.key: must decode to 32 bytes/);
    assert.throws(() => loadOrCreateMasterKey('bad', dir), /MIGRATEKIT_MASTER_KEY/);
  },
);
