// `migratekit backup` and `migratekit restore`: the SQLite database of a server, copied online, and put back
// while the server is stopped. The master key is handled explicitly (docs/install.md, Backup and restore): a
// backup never contains it unless --with-key is given, and then only sealed with a passphrase, in FILE.key.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { backupServer, loadServerConfig, restoreServer } from '@migratekit/server';
import type { Command } from 'commander';
import { action } from '../lib/run-command';
import { envFileOption, loadEnvFile } from '../lib/env-file';

interface BackupOptions {
  out: string;
  withKey?: boolean;
  passphraseFile?: string;
  envFile?: string;
}

interface RestoreOptions {
  from: string;
  key?: string;
  passphraseFile?: string;
  envFile?: string;
}

/** The passphrase from a file (first line) or MIGRATEKIT_BACKUP_PASSPHRASE; never from the command line. */
function passphrase(file: string | undefined): string | undefined {
  if (file !== undefined) return readFileSync(resolve(file), 'utf8').split('\n')[0];
  const fromEnv = process.env.MIGRATEKIT_BACKUP_PASSPHRASE;
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

async function runBackup(options: BackupOptions): Promise<void> {
  loadEnvFile(options.envFile);
  const secret = options.withKey === true ? passphrase(options.passphraseFile) : undefined;
  if (options.withKey === true && secret === undefined)
    throw new Error('--with-key needs a passphrase: --passphrase-file FILE or MIGRATEKIT_BACKUP_PASSPHRASE');
  const result = await backupServer(loadServerConfig(process.env), { out: resolve(options.out), passphrase: secret });
  process.stdout.write(`backed up ${result.database} to ${result.out} (${result.pages} pages)\n`);
  if (result.keyFile !== undefined)
    process.stdout.write(`master key sealed with the passphrase in ${result.keyFile}\n`);
  else
    process.stdout.write(
      `the master key is NOT in this backup: its secrets open only with the key from ${result.keySource}; ` +
        'keep a copy of it apart from the backup (or use --with-key)\n',
    );
}

async function runRestore(options: RestoreOptions): Promise<void> {
  loadEnvFile(options.envFile);
  const secret = options.key === undefined ? undefined : passphrase(options.passphraseFile);
  const result = await restoreServer(loadServerConfig(process.env), {
    from: resolve(options.from),
    keyFile: options.key === undefined ? undefined : resolve(options.key),
    passphrase: secret,
    now: new Date(),
  });
  process.stdout.write(
    `restored ${result.database} (${result.migrations.length} migrations applied in the backup)` +
      (result.previous === undefined ? '\n' : `; the replaced database is ${result.previous}\n`),
  );
  process.stdout.write(
    result.keyRestored
      ? 'restored the master key from the key file\n'
      : 'kept the current master key: it must be the one the backup was made with\n',
  );
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('Copy the SQLite database of a server while it runs (the master key only with --with-key)')
    .requiredOption('--out <file>', 'the backup file to create')
    .option('--with-key', 'also write the master key, sealed with a passphrase, to <file>.key')
    .option('--passphrase-file <file>', 'file whose first line is the passphrase (else MIGRATEKIT_BACKUP_PASSPHRASE)')
    .addOption(envFileOption())
    .action(action(runBackup));
  program
    .command('restore')
    .description('Put a backup in place of the SQLite database (the server must be stopped)')
    .requiredOption('--from <file>', 'the backup file')
    .option('--key <file>', 'a key file from `backup --with-key` to restore the master key too')
    .option('--passphrase-file <file>', 'file whose first line is the passphrase (else MIGRATEKIT_BACKUP_PASSPHRASE)')
    .addOption(envFileOption())
    .action(action(runRestore));
}
