// Where the CLI finds its server and token: MIGRATEKIT_URL (default http://127.0.0.1:8080); the token from
// MIGRATEKIT_TOKEN, else the CLI config file (mode 0600, written by `migratekit login`), else
// `<MIGRATEKIT_DATA_DIR or ./data>/cli-token`, which `migratekit dev` writes for the local admin.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface CliConfigFile {
  url?: string;
  token?: string;
}

export interface CliTarget {
  url: string;
  token: string | undefined;
  tokenSource: 'env' | 'config' | 'dev' | 'none';
}

function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return env.MIGRATEKIT_CLI_CONFIG ?? join(base, 'migratekit', 'cli.json');
}

function readConfigFile(env: NodeJS.ProcessEnv = process.env): CliConfigFile {
  const path = configPath(env);
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as CliConfigFile;
}

export function writeConfigFile(config: CliConfigFile, env: NodeJS.ProcessEnv = process.env): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function resolveTarget(env: NodeJS.ProcessEnv = process.env): CliTarget {
  const file = readConfigFile(env);
  const url = (env.MIGRATEKIT_URL ?? file.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (env.MIGRATEKIT_TOKEN !== undefined && env.MIGRATEKIT_TOKEN !== '')
    return { url, token: env.MIGRATEKIT_TOKEN, tokenSource: 'env' };
  if (file.token !== undefined && file.token !== '') return { url, token: file.token, tokenSource: 'config' };
  const devToken = join(resolve(env.MIGRATEKIT_DATA_DIR ?? './data'), 'cli-token');
  if (existsSync(devToken)) return { url, token: readFileSync(devToken, 'utf8').trim(), tokenSource: 'dev' };
  return { url, token: undefined, tokenSource: 'none' };
}
