// `migratekit login`: trades a username and password for an API token stored in the CLI config file (0600).
import type { Command } from 'commander';
import { resolveTarget, writeConfigFile } from '../lib/cli-config';
import { printJson } from '../lib/output';
import { action, type JsonOption } from '../lib/run-command';

interface LoginOptions extends JsonOption {
  username: string;
  password?: string;
  url?: string;
}

export function registerLoginCommand(program: Command): void {
  program
    .command('login')
    .description('Log in and store an API token for the CLI (password from --password or MIGRATEKIT_PASSWORD)')
    .requiredOption('-u, --username <name>', 'user name')
    .option('-p, --password <password>', 'password (prefer the MIGRATEKIT_PASSWORD variable)')
    .option('--url <url>', 'server URL (default MIGRATEKIT_URL or http://127.0.0.1:8080)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (options: LoginOptions) => {
        const url = (options.url ?? resolveTarget().url).replace(/\/+$/, '');
        const password = options.password ?? process.env.MIGRATEKIT_PASSWORD;
        if (password === undefined || password === '') throw new Error('give --password or set MIGRATEKIT_PASSWORD');
        const login = await fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: options.username, password }),
        });
        if (!login.ok) throw new Error(`login failed (${login.status}): ${await login.text()}`);
        const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
        const created = await fetch(`${url}/api/v1/api-tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ name: `migratekit CLI (${options.username})`, expires_in_days: 90 }),
        });
        if (!created.ok) throw new Error(`could not create an API token (${created.status}): ${await created.text()}`);
        const { token } = (await created.json()) as { token: string };
        const path = writeConfigFile({ url, token });
        if (options.json === true) printJson({ url, username: options.username, config: path });
        else process.stdout.write(`Logged in to ${url} as ${options.username}; token stored in ${path}\n`);
      }),
    );
}
