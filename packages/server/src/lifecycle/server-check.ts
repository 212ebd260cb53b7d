// `migratekit server --check`: validates what `migratekit server` needs before it starts, and names what is
// wrong: the configuration, the data directory, the database, the master key (it must open the stored
// CloudStack secret), the listening ports, the by-id directory and the active CloudStack. Nothing is changed:
// pending migrations are reported, not applied.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { systemClock } from '@migratekit/core';
import { createRepositories, openDatabase, pendingMigrations, sqlitePathOfUrl } from '@migratekit/db';
import { testCloudStackConnection } from '../cloudstack';
import { ConfigError, loadServerConfig, type ServerConfig } from '../config/server-config';
import { MASTER_KEY_FILE, decodeMasterKey } from '../security/master-key';
import { SecretBox } from '../security/secret-box';
import { cloudStackSecretContext } from '../services/cloudstack-config.service';

export interface CheckItem {
  name: string;
  ok: boolean;
  detail: string;
}

const pass = (name: string, detail: string): CheckItem => ({ name, ok: true, detail });
const failed = (name: string, detail: string): CheckItem => ({ name, ok: false, detail });
const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function checkDataDir(config: ServerConfig): CheckItem {
  const dir = config.dataDir;
  if (!existsSync(dir)) return pass('data directory', `${dir} does not exist yet; created on first start`);
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    return failed('data directory', `${dir} is not writable by this user (uid ${process.getuid?.() ?? '?'})`);
  }
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) !== 0) return failed('data directory', `${dir} has mode ${mode.toString(8)}; use 0700`);
  return pass('data directory', dir);
}

interface KeyCheck {
  item: CheckItem;
  key: Buffer | undefined;
}

function readKeyFile(path: string, databaseHasSecrets: boolean): KeyCheck {
  if (!existsSync(path))
    return databaseHasSecrets
      ? {
          item: failed('master key', `${path} is missing but the database holds secrets sealed with it`),
          key: undefined,
        }
      : { item: pass('master key', `${path} is created on first start`), key: undefined };
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0)
      return { item: failed('master key', `${path} has mode ${mode.toString(8)}; use 0600`), key: undefined };
    const key = decodeMasterKey(readFileSync(path, 'utf8'));
    if (typeof key === 'string') return { item: failed('master key', `${path}: ${key}`), key: undefined };
    return { item: pass('master key', path), key };
  } catch (error) {
    return { item: failed('master key', `${path}: ${reason(error)}`), key: undefined };
  }
}

function checkKey(config: ServerConfig, databaseHasSecrets: boolean): KeyCheck {
  if (config.masterKey === undefined) return readKeyFile(join(config.dataDir, MASTER_KEY_FILE), databaseHasSecrets);
  const key = decodeMasterKey(config.masterKey);
  return typeof key === 'string'
    ? { item: failed('master key', `MIGRATEKIT_MASTER_KEY ${key}`), key: undefined }
    : { item: pass('master key', 'from MIGRATEKIT_MASTER_KEY'), key };
}

function portFree(name: string, variable: string, host: string, port: number): Promise<CheckItem> {
  if (port === 0) return Promise.resolve(pass(name, `${variable}=0: any free port`));
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(failed(name, `${host}:${port} (${variable}) cannot be used: ${error.code ?? error.message}`)),
    );
    server.listen({ host, port, exclusive: true }, () =>
      server.close(() => resolve(pass(name, `${host}:${port} is free`))),
    );
  });
}

function checkByIdDir(dir: string): CheckItem {
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
    return pass('by-id directory', dir);
  } catch (error) {
    return failed('by-id directory', `${dir} (MIGRATEKIT_BY_ID_DIR) is not readable: ${reason(error)}`);
  }
}

/** Database reachability, pending migrations, the key, and CloudStack through the stored configuration. */
async function checkStoredState(config: ServerConfig, timeoutMs: number): Promise<CheckItem[]> {
  const items: CheckItem[] = [];
  const url = config.databaseUrl ?? `sqlite:${join(config.dataDir, 'migratekit.db')}`;
  const file = sqlitePathOfUrl(url);
  // Opening a missing SQLite file would create it (as whoever runs the check): report it instead.
  if (file !== undefined && !existsSync(file))
    return [pass('database', `${file} is created on first start`), checkKey(config, false).item];
  const database = openDatabase(url);
  try {
    let pending: string[];
    try {
      pending = await pendingMigrations(database.db);
    } catch (error) {
      return [failed('database', `${database.displayUrl}: ${reason(error)}`), checkKey(config, true).item];
    }
    const fresh = pending.length > 0 && pending[0] === '0001-initial-schema';
    const repositories = createRepositories(database.db, systemClock);
    const active = fresh ? undefined : await repositories.cloudstackConfigs.getActive();
    const sealed = !fresh && (active !== undefined || (await repositories.vmwareCredentials.list()).length > 0);
    items.push(
      pass(
        'database',
        `${database.displayUrl} answers; ` +
          (pending.length === 0 ? 'schema up to date' : `${pending.length} migration(s) run at next start`),
      ),
    );
    const key = checkKey(config, sealed);
    items.push(key.item);
    if (active === undefined) {
      items.push(pass('CloudStack', 'not configured yet (add it in the dashboard under Settings > CloudStack)'));
      return items;
    }
    if (key.key === undefined) return items;
    try {
      const secretKey = new SecretBox(key.key).open(active.secret_key, cloudStackSecretContext(active.id));
      const result = await testCloudStackConnection(
        { apiUrl: active.api_url, apiKey: active.api_key, secretKey },
        { clock: systemClock, requestTimeoutMs: timeoutMs },
      );
      items.push(pass('CloudStack', `${active.name}: ${result.api_url} answers, ${result.zones} zone(s)`));
    } catch (error) {
      items.push(failed('CloudStack', `${active.name} (${active.api_url}): ${reason(error)}`));
    }
    return items;
  } finally {
    await database.close();
  }
}

export async function checkServer(env: NodeJS.ProcessEnv, options: { timeoutMs?: number } = {}): Promise<CheckItem[]> {
  let config: ServerConfig;
  try {
    config = loadServerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [failed('configuration', error.message)];
    throw error;
  }
  const items = [pass('configuration', 'every variable parses'), checkDataDir(config)];
  items.push(...(await checkStoredState(config, options.timeoutMs ?? 10_000)));
  items.push(await portFree('API port', 'PORT', config.host, config.port));
  items.push(
    await portFree('agent port', 'MIGRATEKIT_AGENT_PORT', config.agentListener.host, config.agentListener.port),
  );
  items.push(await portFree('NBD port', 'MIGRATEKIT_NBD_PORT', config.nbd.host, config.nbd.port));
  items.push(checkByIdDir(config.byIdDir));
  return items;
}
