// `--env-file /etc/migratekit/server.env`: the service's configuration for a command run by hand (check,
// migrate, backup), read with Node's own .env parser. Variables already set in the environment win.
import { Option } from 'commander';

export function envFileOption(): Option {
  return new Option(
    '--env-file <file>',
    'read configuration variables from this file (e.g. /etc/migratekit/server.env)',
  );
}

export function loadEnvFile(path: string | undefined): void {
  if (path !== undefined) process.loadEnvFile(path);
}
