// `migratekit server` (production: configuration from the environment) and `migratekit dev` (what `npm start`
// runs: the embedded stack on SQLite under ./data). Both stop cleanly on SIGINT/SIGTERM.
import type { Command } from 'commander';
import { loadDevModule } from '../dev/simulator-command';

type Closer = () => Promise<void>;

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

async function runServer(): Promise<void> {
  // Loaded here, not at the top: every other command (the agent above all) starts without the server's modules.
  const { loadServerConfig, startServer } = await import('@migratekit/server');
  const config = loadServerConfig(process.env);
  const server = await startServer({ config });
  stopOnSignals(() => server.close());
  process.stdout.write(`Agents connect to ${server.gateway.url}\n`);
  if (server.bootstrap.created && server.bootstrap.passwordSource === 'generated') {
    // Printed once, on the terminal only: it is not in the logs and cannot be shown again.
    process.stdout.write(
      `\nFirst start: created user "${server.bootstrap.username}" with password ${server.bootstrap.password}\n` +
        'Store it now; change it after logging in (POST /api/v1/auth/password).\n\n',
    );
  }
}

async function runDev(): Promise<void> {
  const { startDevStack } = await loadDevModule(() => import('@migratekit/server/dev'), 'The dev stack');
  const stack = await startDevStack();
  stopOnSignals(() => stack.close());
}

export function registerServerCommands(program: Command): void {
  program
    .command('server')
    .description('Run the MigrateKit server (configuration from PORT, HOST, DATABASE_URL, MIGRATEKIT_* and LOG_LEVEL)')
    .action(() => runServer().catch(fail));
  program
    .command('dev')
    .description(
      'Run the whole stack locally on SQLite under MIGRATEKIT_DATA_DIR (default ./data) at http://127.0.0.1:8080',
    )
    .action(() => runDev().catch(fail));
}
