// `migratekit server` (production: configuration from the environment, or --env-file), `server --check` (validate
// it and exit), `server migrate [--dry-run]`, and `migratekit dev` (what `npm start` runs: the embedded stack on
// SQLite under ./data). The servers stop cleanly on SIGINT/SIGTERM.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { envFileOption, loadEnvFile } from '../lib/env-file';
import { loadDevModule } from '../dev/simulator-command';

type Closer = () => Promise<void>;

// Loaded on use, not at the top: every other command (the agent above all) starts without the server's modules.
const serverModule = () => import('@migratekit/server');

function stopOnSignals(close: Closer): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl+C while closing means "now".
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal} received, shutting down\n`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function fail(error: unknown): never {
  const message =
    // By name: the server package is loaded only when a server command runs.
    error instanceof Error && error.name === 'ConfigError'
      ? `configuration error: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`migratekit: ${message}\n`);
  process.exit(1);
}

/**
 * The generated first password is shown once: on a terminal it is printed; under systemd, where stdout is the
 * journal, it goes to an owner-only file in the data directory instead, and only the file's path is printed.
 */
async function announceFirstAdmin(dataDir: string, username: string, password: string): Promise<void> {
  if (process.stdout.isTTY) {
    process.stdout.write(
      `\nFirst start: created user "${username}" with password ${password}\n` +
        'Store it now; change it after logging in (POST /api/v1/auth/password).\n\n',
    );
    return;
  }
  const { FIRST_ADMIN_PASSWORD_FILE } = await serverModule();
  const path = join(dataDir, FIRST_ADMIN_PASSWORD_FILE);
  // A file left by an earlier first start (its database since removed) is stale: this password replaces it.
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  process.stdout.write(
    `First start: created user "${username}"; its password is in ${path} (delete the file after logging in)\n`,
  );
}

async function runServer(): Promise<void> {
  const { loadServerConfig, startServer } = await serverModule();
  const config = loadServerConfig(process.env);
  const server = await startServer({ config });
  stopOnSignals(() => server.close());
  process.stdout.write(`Agents connect to ${server.gateway.url}\n`);
  if (server.bootstrap.created && server.bootstrap.passwordSource === 'generated')
    await announceFirstAdmin(config.dataDir, server.bootstrap.username, server.bootstrap.password);
}

async function runDev(): Promise<void> {
  const { startDevStack, devGuestImagePath } = await loadDevModule(
    () => import('@migratekit/server/dev'),
    'The dev stack',
  );
  // The real Debian guest joins the demo estate when it has been built (docs/conversion.md).
  const guestImage = devGuestImagePath(process.env);
  const stack = await startDevStack(guestImage === undefined ? {} : { guestImage });
  stopOnSignals(() => stack.close());
}

interface ServerOptions {
  check?: boolean;
  envFile?: string;
}

/** `server --check`: one line per check, exit code 1 when any fails. */
async function runCheck(): Promise<void> {
  const { checkServer } = await serverModule();
  const items = await checkServer(process.env);
  for (const item of items) process.stdout.write(`${item.ok ? 'ok  ' : 'FAIL'} ${item.name}: ${item.detail}\n`);
  const failures = items.filter((item) => !item.ok).length;
  process.stdout.write(failures === 0 ? 'configuration ok\n' : `${failures} check(s) failed\n`);
  if (failures > 0) process.exitCode = 1;
}

async function runMigrate(options: { dryRun?: boolean; envFile?: string }): Promise<void> {
  loadEnvFile(options.envFile);
  const { loadServerConfig, migrateDatabase } = await serverModule();
  const plan = await migrateDatabase(loadServerConfig(process.env), { dryRun: options.dryRun === true });
  const verb = plan.applied ? 'applied' : 'would apply';
  if (plan.migrations.length === 0) process.stdout.write(`${plan.database}: schema up to date, nothing to apply\n`);
  else process.stdout.write(`${plan.database}: ${verb} ${plan.migrations.length} migration(s):\n`);
  for (const name of plan.migrations) process.stdout.write(`  ${name}\n`);
}

export function registerServerCommands(program: Command): void {
  const server = program
    .command('server')
    .description('Run the MigrateKit server (configuration from PORT, HOST, DATABASE_URL, MIGRATEKIT_* and LOG_LEVEL)')
    .option('--check', 'validate the configuration (database, master key, ports, CloudStack) and exit')
    .addOption(envFileOption())
    .action((options: ServerOptions) => {
      loadEnvFile(options.envFile);
      return (options.check === true ? runCheck() : runServer()).catch(fail);
    });
  server
    .command('migrate')
    .description('Apply the pending database migrations (a start does it too); --dry-run lists them only')
    .option('--dry-run', 'show what would change, change nothing')
    .addOption(envFileOption())
    .action((options: { dryRun?: boolean; envFile?: string }) => runMigrate(options).catch(fail));
  program
    .command('dev')
    .description(
      'Run the whole stack locally on SQLite under MIGRATEKIT_DATA_DIR (default ./data) at http://127.0.0.1:8080',
    )
    .action(() => runDev().catch(fail));
}
