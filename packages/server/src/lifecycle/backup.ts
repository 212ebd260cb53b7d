// `migratekit backup` / `migratekit restore` for the SQLite default (docs/install.md, Backup and restore).
// The master key is never copied by accident: a backup holds the database only, whose stored secrets are
// sealed with the key. `withKey` adds the key as a separate file sealed with a passphrase
// (master-key-envelope.ts); without it the operator keeps the key (master.key or MIGRATEKIT_MASTER_KEY) apart.
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { backupSqlite, checkSqliteFile, sqlitePathOfUrl } from '@migratekit/db';
import type { ServerConfig } from '../config/server-config';
import { MASTER_KEY_FILE, decodeMasterKey } from '../security/master-key';
import { openMasterKey, sealMasterKey } from './master-key-envelope';

export const DATABASE_FILE = 'migratekit.db';

export interface BackupResult {
  database: string;
  out: string;
  pages: number;
  /** The passphrase-sealed key file, when asked for. */
  keyFile: string | undefined;
  /** Where the key the backup's secrets need lives (never its value). */
  keySource: string;
}

export interface RestoreResult {
  database: string;
  migrations: string[];
  /** Where the replaced database was moved, if there was one. */
  previous: string | undefined;
  keyRestored: boolean;
}

function sqliteFile(config: ServerConfig): string {
  const url = config.databaseUrl ?? `sqlite:${join(config.dataDir, DATABASE_FILE)}`;
  const path = sqlitePathOfUrl(url);
  if (path === undefined)
    throw new Error(
      'backup and restore cover the SQLite default; for PostgreSQL use pg_dump, for MariaDB mariadb-dump ' +
        '(docs/install.md), and keep the master key with them',
    );
  return path;
}

function currentMasterKey(config: ServerConfig): { key: Buffer | undefined; source: string } {
  if (config.masterKey !== undefined) {
    const key = decodeMasterKey(config.masterKey);
    if (typeof key === 'string') throw new Error(`MIGRATEKIT_MASTER_KEY: ${key}`);
    return { key, source: 'MIGRATEKIT_MASTER_KEY' };
  }
  const path = join(config.dataDir, MASTER_KEY_FILE);
  // No key yet: the server never started, so nothing in the database is sealed.
  if (!existsSync(path)) return { key: undefined, source: `${path} (not created yet)` };
  const key = decodeMasterKey(readFileSync(path, 'utf8'));
  if (typeof key === 'string') throw new Error(`${path}: ${key}`);
  return { key, source: path };
}

export async function backupServer(
  config: ServerConfig,
  options: { out: string; passphrase?: string | undefined },
): Promise<BackupResult> {
  const database = sqliteFile(config);
  if (!existsSync(database)) throw new Error(`no database at ${database} (check MIGRATEKIT_DATA_DIR)`);
  const keyFile = options.passphrase === undefined ? undefined : `${options.out}.key`;
  for (const path of [options.out, keyFile]) {
    if (path !== undefined && existsSync(path)) throw new Error(`${path} exists; choose a new name`);
  }
  const master = currentMasterKey(config);
  // Sealed first: a too-short passphrase stops the backup before it writes anything.
  if (options.passphrase !== undefined && master.key === undefined)
    throw new Error(`there is no master key to include: ${master.source}`);
  const sealed =
    options.passphrase === undefined || master.key === undefined
      ? undefined
      : sealMasterKey(master.key, options.passphrase);
  const pages = await backupSqlite(database, options.out);
  if (keyFile !== undefined && sealed !== undefined) writeFileSync(keyFile, sealed, { mode: 0o600, flag: 'wx' });
  return { database, out: options.out, pages, keyFile, keySource: master.source };
}

/** True when something accepts connections on host:port within a second. */
function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Gives a restored file the owner of the data directory (a restore run as root for the service's user). */
function matchOwner(path: string, dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = statSync(dataDir);
  chownSync(path, uid, gid);
}

function moveAside(path: string, suffix: string): string | undefined {
  if (!existsSync(path)) return undefined;
  for (const extra of ['-wal', '-shm']) if (existsSync(path + extra)) renameSync(path + extra, path + suffix + extra);
  renameSync(path, path + suffix);
  return path + suffix;
}

export async function restoreServer(
  config: ServerConfig,
  options: { from: string; keyFile?: string | undefined; passphrase?: string | undefined; now: Date },
): Promise<RestoreResult> {
  const database = sqliteFile(config);
  const check = checkSqliteFile(options.from);
  if (check.integrity !== 'ok') throw new Error(`${options.from} fails the integrity check: ${check.integrity}`);
  if (check.migrations.length === 0) throw new Error(`${options.from} is not a MigrateKit database`);
  if (config.port !== 0 && (await portAnswers(config.host, config.port)))
    throw new Error(
      `a server answers on ${config.host}:${config.port}; stop it first (systemctl stop migratekit-server)`,
    );
  let key: Buffer | undefined;
  if (options.keyFile !== undefined) {
    if (options.passphrase === undefined) throw new Error('--key needs the passphrase it was sealed with');
    key = openMasterKey(readFileSync(options.keyFile, 'utf8'), options.passphrase);
    if (config.masterKey !== undefined)
      throw new Error('MIGRATEKIT_MASTER_KEY is set: put the restored key there instead of restoring the key file');
  }
  const suffix = `.before-restore-${options.now.toISOString().replace(/[:.]/g, '-')}`;
  const previous = moveAside(database, suffix);
  const staging = `${database}.restoring`;
  copyFileSync(options.from, staging);
  chmodSync(staging, 0o600);
  renameSync(staging, database);
  matchOwner(database, config.dataDir);
  if (key !== undefined) {
    const keyPath = join(config.dataDir, MASTER_KEY_FILE);
    moveAside(keyPath, suffix);
    writeFileSync(keyPath, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    matchOwner(keyPath, config.dataDir);
  }
  return { database, migrations: check.migrations, previous, keyRestored: key !== undefined };
}
