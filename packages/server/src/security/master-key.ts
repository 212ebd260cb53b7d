// The master key that opens every stored secret: MIGRATEKIT_MASTER_KEY (32 bytes as base64 or hex) or, when
// unset, `<dataDir>/master.key`, created with mode 0600 on first start and reused afterwards.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MASTER_KEY_FILE = 'master.key';

/** Decodes a 32-byte key given as 64 hex digits or base64/base64url; returns an error message when invalid. */
export function decodeMasterKey(text: string): Buffer | string {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return 'must be 32 bytes encoded as base64 or 64 hex digits';
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) return `must decode to 32 bytes, got ${key.length}`;
  return key;
}

export interface MasterKeySource {
  key: Buffer;
  /** Where the key came from, for the start-up log (never the key itself). */
  origin: 'env' | 'file-existing' | 'file-created';
  path?: string;
}

export function loadOrCreateMasterKey(envValue: string | undefined, dataDir: string): MasterKeySource {
  if (envValue !== undefined) {
    const key = decodeMasterKey(envValue);
    if (typeof key === 'string') throw new Error(`MIGRATEKIT_MASTER_KEY: ${key}`);
    return { key, origin: 'env' };
  }
  const path = join(dataDir, MASTER_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails when the file exists, so two processes starting together never overwrite each other's key.
    const key = randomBytes(32);
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return { key, origin: 'file-created', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = decodeMasterKey(readFileSync(path, 'utf8'));
  if (typeof key === 'string') throw new Error(`${path}: ${key}`);
  return { key, origin: 'file-existing', path };
}
