// `migratekit dev`: the whole product on its embedded default, for a newcomer's first run: the server on SQLite
// under the data directory, the vCenter and CloudStack simulators, NBD over TLS, and a paired agent, so
// `npm start` is the one command.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudStackClient } from '@migratekit/cloudstack';
import type { Clock } from '@migratekit/core';
import { demoInventory, type InventorySpec } from '@migratekit/sim-vcenter';
import type { Logger } from 'pino';
import { loadServerConfig, parseNamedPort, parseOnOff, type ServerConfig } from '../config/server-config';
import type { ConverterAvailability } from '../conversion/guest-converter';
import { createLogger } from '../logging/logger';
import { DEFAULT_DEV_PORTS, startDevEstate, type DevAgentMode, type DevEstate, type DevPorts } from './dev-estate';
import { DEV_GROUP_NAME, DEV_SCHEDULE_NAME, ensureDevSchedule } from './dev-schedule';
import { DEV_GUEST_IMAGE_VARIABLE, withGuestImageVm, type DevGuestVm } from './dev-guest-vm';
import { resolveDevPort } from './dev-ports';
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
  /** false: the server only, without simulators and agent; MIGRATEKIT_DEV_SIMULATORS (default on). */
  estate?: boolean;
  /** Ports of the simulators, used as given; otherwise from MIGRATEKIT_DEV_*_PORT, ephemeral when PORT=0. */
  ports?: Partial<DevPorts>;
  /** Replaces the demo vCenter estate (tests use small disks). */
  inventory?: InventorySpec;
  /**
   * A raw guest disk image (scripts/build-test-guest.sh): the estate gets one more VM whose disk starts as it, so
   * a failover converts a real guest. A missing file is reported in the banner with the command that builds it.
   */
  guestImage?: string;
  /** The demo guests keep writing to their disks (so incrementals have changes); MIGRATEKIT_DEV_GUEST_WRITES. */
  guestWrites?: boolean;
  /** The dev agent: its own child process (default, as in production) or inside this process (tests). */
  agent?: DevAgentMode;
  /** How long a simulated guest takes to shut down after ShutdownGuest (the vCenter simulator's default: 3 s). */
  guestShutdownDelayMs?: number;
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

/** The variables of the simulators' ports (read by the dev stack only). */
export const DEV_PORT_VARIABLES: Record<keyof DevPorts, string> = {
  vcenter: 'MIGRATEKIT_DEV_VCENTER_PORT',
  vcenterNbd: 'MIGRATEKIT_DEV_VCENTER_NBD_PORT',
  cloudstack: 'MIGRATEKIT_DEV_CLOUDSTACK_PORT',
};
const DEV_PORT_COMPONENTS: Record<keyof DevPorts, string> = {
  vcenter: 'vCenter simulator',
  vcenterNbd: 'vCenter simulator NBD export',
  cloudstack: 'CloudStack simulator',
};

function isSet(env: NodeJS.ProcessEnv, name: string): boolean {
  return (env[name] ?? '') !== '';
}

/**
 * The dev server's own listeners: the defaults of `migratekit server`, all ephemeral with PORT=0. `convert`: the
 * default of MIGRATEKIT_CONVERTER when it is not set.
 */
function devConfig(given: NodeJS.ProcessEnv, withEstate: boolean, convert: 'auto' | 'off'): ServerConfig {
  const env = (given.MIGRATEKIT_CONVERTER ?? '') === '' ? { ...given, MIGRATEKIT_CONVERTER: convert } : given;
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

/** Replaces the server's taken default ports by ephemeral ones; `notices` collects what was replaced. */
async function freeServerPorts(env: NodeJS.ProcessEnv, config: ServerConfig, notices: string[]): Promise<ServerConfig> {
  const resolve = async (component: string, variable: string, host: string, port: number): Promise<number> => {
    const resolved = await resolveDevPort({ component, variable, host, port, explicit: isSet(env, variable) });
    if (resolved.notice !== undefined) notices.push(resolved.notice);
    return resolved.port;
  };
  const port = await resolve('API server', 'PORT', config.host, config.port);
  const agentPort = await resolve(
    'agent listener',
    'MIGRATEKIT_AGENT_PORT',
    config.agentListener.host,
    config.agentListener.port,
  );
  const nbdPort = config.nbd.listener
    ? await resolve('NBD target', 'MIGRATEKIT_NBD_PORT', config.nbd.host, config.nbd.port)
    : config.nbd.port;
  return {
    ...config,
    port,
    agentListener: { ...config.agentListener, port: agentPort },
    nbd: { ...config.nbd, port: nbdPort },
  };
}

/** The simulators' ports: given, from their variables, the defaults (ephemeral with PORT=0), taken ones replaced. */
async function simulatorPorts(
  env: NodeJS.ProcessEnv,
  ephemeral: boolean,
  given: Partial<DevPorts>,
  notices: string[],
): Promise<DevPorts> {
  const ports: DevPorts = { ...DEFAULT_DEV_PORTS };
  for (const key of Object.keys(DEV_PORT_VARIABLES) as Array<keyof DevPorts>) {
    const variable = DEV_PORT_VARIABLES[key];
    const fromEnv = parseNamedPort(env, variable, ephemeral ? 0 : DEFAULT_DEV_PORTS[key]);
    const requested = given[key];
    if (requested !== undefined) {
      ports[key] = requested;
      continue;
    }
    const component = DEV_PORT_COMPONENTS[key];
    const host = '127.0.0.1';
    const resolved = await resolveDevPort({ component, variable, host, port: fromEnv, explicit: isSet(env, variable) });
    if (resolved.notice !== undefined) notices.push(resolved.notice);
    ports[key] = resolved.port;
  }
  return ports;
}

function devAgentLine(estate: DevEstate): string {
  const child = estate.agentProcess;
  if (child === undefined) return `${estate.agentId} (inside this process)`;
  return `${estate.agentId}, pid ${String(child.pid)} (child process, started again when it exits)`;
}

interface BannerFacts {
  server: RunningServer;
  config: ServerConfig;
  admin: { username: string; password: string | undefined };
  cliTokenPath: string;
  estate: DevEstate | undefined;
  guestWrites: boolean;
  notices: string[];
  guest: DevGuestVm | undefined;
  conversion: ConverterAvailability;
}

function guestLine(guest: DevGuestVm): string {
  if (guest.included) return `${guest.vmName}, its disk copied from ${guest.image}`;
  return `not in the estate: ${guest.reason} (or set ${DEV_GUEST_IMAGE_VARIABLE})`;
}

function conversionLine(mode: 'auto' | 'off', conversion: ConverterAvailability): string {
  if (mode === 'off')
    return 'off: the demo disks hold no OS (MIGRATEKIT_CONVERTER=auto converts with virt-v2v, e.g. the guest-image VM)';
  if (conversion.available)
    return 'virt-v2v-in-place: failovers convert guests for KVM (the demo VMs hold no OS: skip conversion for them)';
  return `not available, failovers skip it: ${conversion.reason ?? 'no converter'}`;
}

/** What a newcomer needs on the terminal: where everything listens (the ports actually used) and how to log in. */
function printBanner(out: (line: string) => void, facts: BannerFacts): void {
  const { server, config, admin, estate } = facts;
  const row = (label: string, value: string): void => out(`  ${`${label}:`.padEnd(14)}${value}`);
  out('');
  for (const notice of facts.notices) out(notice);
  out('MigrateKit dev stack is running');
  row('URL', server.url);
  row('API docs', `${server.url}/api/docs`);
  row(
    'Login',
    `${admin.username} / ${
      admin.password ??
      '(password changed since first start; set MIGRATEKIT_ADMIN_PASSWORD on a fresh data dir to choose one)'
    }`,
  );
  row('CLI token', facts.cliTokenPath);
  row('Data', `${config.dataDir} (${server.composition.adapters.engine})`);
  if (estate !== undefined) {
    row('vCenter', `${estate.vcenter.url} (simulator, ${estate.vcenter.listVms().length} VMs)`);
    row('vCenter NBD', `127.0.0.1:${String(estate.vcenter.nbd?.port)} (simulator disks)`);
    row('CloudStack', `${estate.cloudstack.url} (simulator, server VM ${estate.cloudstack.serverVmId})`);
    row('Guest writes', `${facts.guestWrites ? 'on' : 'off'} (MIGRATEKIT_DEV_GUEST_WRITES)`);
    row('Schedule', `${DEV_SCHEDULE_NAME} drives group ${DEV_GROUP_NAME} (migratekit group add ${DEV_GROUP_NAME} VM)`);
    if (facts.guest !== undefined) row('Guest VM', guestLine(facts.guest));
    row('Conversion', conversionLine(config.conversion.mode, facts.conversion));
  } else row('Simulators', 'off (MIGRATEKIT_DEV_SIMULATORS): configure vCenter, CloudStack and an agent yourself');
  row('Agents', server.gateway.url);
  if (estate !== undefined) row('Dev agent', devAgentLine(estate));
  row(
    'NBD target',
    server.nbdPort === undefined
      ? 'through the agent port (MIGRATEKIT_NBD_LISTENER=on adds its own)'
      : `${config.nbd.host}:${server.nbdPort} (TLS)`,
  );
  out('  Stop with Ctrl+C; data is kept for the next start.');
  out('');
}

export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const env = options.env ?? process.env;
  // Off: simulators and agent run elsewhere (their own processes), so this server can be killed and started
  // again while the cloud it drives keeps running, as in production.
  const withEstate = options.estate ?? parseOnOff(env, 'MIGRATEKIT_DEV_SIMULATORS', true);
  const notices: string[] = [];
  // The demo VMs' disks hold no operating system, so converting them can only fail: the dev stack converts guests
  // only when asked (MIGRATEKIT_CONVERTER=auto), e.g. to convert the guest-image VM (docs/conversion.md).
  // All ports are checked before anything listens, so a taken explicit port fails before the database opens.
  const requested = devConfig(env, withEstate, 'off');
  const config = await freeServerPorts(env, requested, notices);
  const ports = withEstate ? await simulatorPorts(env, requested.port === 0, options.ports ?? {}, notices) : undefined;
  const guestWrites = options.guestWrites ?? parseOnOff(env, 'MIGRATEKIT_DEV_GUEST_WRITES', true);
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logger = options.logger ?? createLogger({ level: config.logLevel, pretty: process.stdout.isTTY });
  const server = await startServer({
    config,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    logger,
    prettyLogs: process.stdout.isTTY,
    // The dev terminal is read by people: one line per request only at LOG_LEVEL=debug.
    buildOptions: { requestLogLevel: 'debug' },
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
  let inventory = options.inventory;
  let guest: DevGuestVm | undefined;
  if (ports !== undefined && options.guestImage !== undefined) {
    const added = withGuestImageVm(options.inventory ?? demoInventory, options.guestImage);
    guest = added.guest;
    if (guest.included) inventory = added.inventory;
    else logger.warn({ image: guest.image }, `dev estate without the guest-image VM: ${guest.reason}`);
  }
  try {
    const admin = await adminLogin(server, config.dataDir);
    const cliTokenPath = await ensureCliToken(server, config.dataDir);
    const url = server.url;
    if (ports !== undefined) {
      estate = await startDevEstate({
        server,
        dataDir: config.dataDir,
        byIdDir: config.byIdDir,
        cliToken: readFileSync(cliTokenPath, 'utf8').trim(),
        logger,
        ports,
        ...(inventory === undefined ? {} : { inventory }),
        guestWrites,
        agent: options.agent ?? 'process',
        ...(options.guestShutdownDelayMs === undefined ? {} : { guestShutdownDelayMs: options.guestShutdownDelayMs }),
        logLevel: config.logLevel,
      });
      await ensureDevSchedule(server, readFileSync(cliTokenPath, 'utf8').trim());
    }
    for (const notice of notices) logger.warn(notice);
    const conversion = await server.composition.adapters.converter.availability();
    printBanner(out, { server, config, admin, cliTokenPath, estate, guestWrites, notices, guest, conversion });
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
