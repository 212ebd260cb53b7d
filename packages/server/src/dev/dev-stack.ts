// `migratekit dev`: the whole product on its embedded default, for a newcomer's first run: the server on SQLite
// under the data directory, the vCenter and CloudStack simulators, NBD over TLS, and a paired agent, so
// `npm start` is the one command.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudStackClient } from '@migratekit/cloudstack';
import type { Clock } from '@migratekit/core';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import type { Logger } from 'pino';
import { loadServerConfig, type ServerConfig } from '../config/server-config';
import { createLogger } from '../logging/logger';
import { DEFAULT_DEV_PORTS, startDevEstate, type DevEstate, type DevPorts } from './dev-estate';
import { verifyPassword } from '../security/password-hasher';
import { startServer, type RunningServer } from '../server-runtime';
import { BOOTSTRAP_ADMIN_USERNAME, FIRST_ADMIN_PASSWORD_FILE } from '../services/bootstrap-admin';

export const CLI_TOKEN_FILE = 'cli-token';
export const DEV_ADMIN_PASSWORD_FILE = FIRST_ADMIN_PASSWORD_FILE;

export interface DevStackOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  /** Where the banner goes (stdout by default). */
  out?: (line: string) => void;
  /** false: the server only, without simulators and agent. */
  estate?: boolean;
  /** Ports of the simulators; all ephemeral when PORT=0. */
  ports?: Partial<DevPorts>;
  /** Replaces the demo vCenter estate (tests use small disks). */
  inventory?: InventorySpec;
  guestWrites?: boolean;
}

export interface DevStack {
  server: RunningServer;
  config: ServerConfig;
  url: string;
  admin: { username: string; password: string | undefined };
  cliTokenPath: string;
  /** Absent with `estate: false`. */
  estate: DevEstate | undefined;
  close(): Promise<void>;
}

function writePrivateFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  // mode only applies when the file is created; an older file keeps its bits otherwise.
  chmodSync(path, 0o600);
}

/** The admin password to print: the one just generated, or the dev file's copy while it is still valid. */
async function adminLogin(
  server: RunningServer,
  dataDir: string,
): Promise<{ username: string; password: string | undefined }> {
  const passwordFile = join(dataDir, DEV_ADMIN_PASSWORD_FILE);
  if (server.bootstrap.created) {
    // Dev only: keep the generated password next to the dev database so a restart can print it again.
    if (server.bootstrap.passwordSource === 'generated')
      writePrivateFile(passwordFile, `${server.bootstrap.password}\n`);
    return { username: server.bootstrap.username, password: server.bootstrap.password };
  }
  const admin = await server.composition.adapters.repositories.users.getByUsername(BOOTSTRAP_ADMIN_USERNAME);
  if (admin === undefined || !existsSync(passwordFile))
    return { username: BOOTSTRAP_ADMIN_USERNAME, password: undefined };
  const saved = readFileSync(passwordFile, 'utf8').trim();
  if (await verifyPassword(saved, admin.password_hash)) return { username: admin.username, password: saved };
  // Changed while the server was not watching (e.g. in the database): the stale copy goes too.
  rmSync(passwordFile, { force: true });
  return { username: admin.username, password: undefined };
}

/** Keeps `<dataDir>/cli-token` holding a usable API token of the local admin. */
async function ensureCliToken(server: RunningServer, dataDir: string): Promise<string> {
  const path = join(dataDir, CLI_TOKEN_FILE);
  const tokens = server.services.apiTokens;
  const users = server.composition.adapters.repositories.users;
  if (existsSync(path) && (await tokens.isUsable(readFileSync(path, 'utf8').trim()))) return path;
  const admin =
    (await users.getByUsername(BOOTSTRAP_ADMIN_USERNAME)) ??
    (await users.list()).find((u) => u.role === 'admin' && u.is_active);
  if (admin === undefined) throw new Error('no active admin user to own the CLI token');
  const created = await tokens.issue(admin.id, 'migratekit dev CLI');
  writePrivateFile(path, `${created.token}\n`);
  return path;
}

/** The dev server's own listeners: the defaults of `migratekit server`, all ephemeral with PORT=0. */
function devConfig(env: NodeJS.ProcessEnv, withEstate: boolean): ServerConfig {
  const base = loadServerConfig(env, { host: '127.0.0.1', port: 8080, dataDir: './data' });
  const ephemeral = base.port === 0;
  const config = ephemeral
    ? loadServerConfig(env, { host: '127.0.0.1', port: 0, dataDir: './data', agentPort: 0, nbdPort: 0 })
    : base;
  // The CloudStack simulator makes its by-id links under the data dir; the server must look there.
  const byIdDir =
    withEstate && (env.MIGRATEKIT_BY_ID_DIR ?? '') === ''
      ? join(config.dataDir, 'sim-cloudstack', 'by-id')
      : config.byIdDir;
  // A demo listens on loopback only unless told otherwise.
  const nbdHost = (env.MIGRATEKIT_NBD_HOST ?? '') === '' ? '127.0.0.1' : config.nbd.host;
  return { ...config, byIdDir, nbd: { ...config.nbd, host: nbdHost } };
}

export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const withEstate = options.estate ?? true;
  const config = devConfig(options.env ?? process.env, withEstate);
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logger = options.logger ?? createLogger({ level: config.logLevel, pretty: process.stdout.isTTY });
  const server = await startServer({
    config,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    logger,
    prettyLogs: process.stdout.isTTY,
    // The simulator finishes async jobs in milliseconds; polling like for a real cloud would idle for seconds.
    createCloudStackClient: (cs) =>
      new CloudStackClient({
        apiUrl: cs.apiUrl,
        apiKey: cs.apiKey,
        secretKey: cs.secretKey,
        logger,
        jobs: { initialIntervalMs: 20, stepMs: 20, maxIntervalMs: 500 },
      }),
  });
  let estate: DevEstate | undefined;
  try {
    const admin = await adminLogin(server, config.dataDir);
    const cliTokenPath = await ensureCliToken(server, config.dataDir);
    const url = server.url;
    if (withEstate) {
      const ephemeral = config.port === 0;
      const ports: DevPorts = ephemeral ? { vcenter: 0, vcenterNbd: 0, cloudstack: 0 } : { ...DEFAULT_DEV_PORTS };
      estate = await startDevEstate({
        server,
        dataDir: config.dataDir,
        byIdDir: config.byIdDir,
        cliToken: readFileSync(cliTokenPath, 'utf8').trim(),
        logger,
        ports: { ...ports, ...options.ports },
        ...(options.inventory === undefined ? {} : { inventory: options.inventory }),
        guestWrites: options.guestWrites ?? !ephemeral,
      });
    }
    out('');
    out('MigrateKit dev stack is running');
    out(`  URL:        ${url}`);
    out(`  API docs:   ${url}/api/docs`);
    out(
      `  Login:      ${admin.username} / ${
        admin.password ??
        '(password changed since first start; set MIGRATEKIT_ADMIN_PASSWORD on a fresh data dir to choose one)'
      }`,
    );
    out(`  CLI token:  ${cliTokenPath}`);
    out(`  Data:       ${config.dataDir} (${server.composition.adapters.engine})`);
    if (estate !== undefined) {
      out(`  vCenter:    ${estate.vcenter.url} (simulator, ${estate.vcenter.listVms().length} VMs)`);
      out(`  CloudStack: ${estate.cloudstack.url} (simulator, server VM ${estate.cloudstack.serverVmId})`);
      out(`  Agents:     ${server.gateway.url} (agent ${estate.agent.credential.agent_id} online)`);
    }
    out(`  NBD target: ${config.nbd.host}:${server.nbdPort} (TLS)`);
    out('  Stop with Ctrl+C; data is kept for the next start.');
    out('');
    const running = estate;
    return {
      server,
      config,
      url,
      admin,
      cliTokenPath,
      estate,
      close: async () => {
        await running?.close();
        await server.close();
      },
    };
  } catch (error) {
    await estate?.close();
    await server.close();
    throw error;
  }
}
