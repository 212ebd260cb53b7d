// All runtime configuration comes from the environment through this one module, validated at start-up so a
// bad value stops the process with a message naming the variable instead of failing later.
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { decodeMasterKey } from '../security/master-key';
import { parseConversionConfig, type ConversionConfig } from './conversion-config';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Undefined means the SQLite file under dataDir. */
  databaseUrl: string | undefined;
  /** The raw MIGRATEKIT_MASTER_KEY value; undefined means the key file under dataDir. */
  masterKey: string | undefined;
  adminPassword: string | undefined;
  logLevel: LogLevel;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  /** Idle session lifetime. */
  sessionTtlMs: number;
  /** Interval of SSE heartbeat comments. */
  sseHeartbeatMs: number;
  /** Trust X-Forwarded-For/-Proto from a reverse proxy in front (client address, Secure cookie over HTTPS). */
  trustProxy: boolean;
  /** The HTTPS listener agents connect to (pairing and the control channel). */
  agentListener: {
    host: string;
    port: number;
    /**
     * The https URL other hosts' agents reach this listener at, told to agents connected to the other servers
     * for failover (docs/scale-out.md#agents-and-scope); default: the listener's own address.
     */
    advertiseUrl?: string | undefined;
  };
  /**
   * The NBD target that receives replicated disks. Agents reach it through the agent listener; `listener` adds
   * its own port (host, port) and sends agents there, `advertise` being the host they dial (default: their
   * server URL's).
   */
  nbd: { listener: boolean; host: string; port: number; advertise: string | undefined };
  /** Where attached CloudStack volumes appear as `virtio-<serial>`. */
  byIdDir: string;
  /** This server's identity in workflow leases: stable across restarts, unique among servers sharing a database. */
  serverId: string;
  /** MariaDB: how often this server reads the other servers' events (docs/scale-out.md); undefined = default. */
  eventPollMs: number | undefined;
  /**
   * This server as a data mover (docs/scale-out.md): the CloudStack VM it runs in (MIGRATEKIT_SERVER_VM_ID;
   * undefined = the active CloudStack configuration's server VM) and how many volumes that VM may hold attached
   * (MIGRATEKIT_ATTACHMENT_SLOTS; enforced only when set: replication volumes stay attached between runs, so a
   * default limit would cap the VMs one server manages; unset, `servers` records DEFAULT_ATTACHMENT_SLOTS).
   */
  dataMover: { vmId: string | undefined; attachmentSlots: number | undefined };
  /**
   * How long this server's leases last without a heartbeat (MIGRATEKIT_LEASE_MS, default 30 s): its row in
   * `servers`, its jobs, its workflow jobs and the scheduler leadership. Another server takes over after it.
   */
  leaseMs: number;
  /** A configured server certificate; undefined means a self-signed pair made in the data dir. */
  tls: { certPath: string | undefined; keyPath: string | undefined };
  /** Guest conversion with virt-v2v (docs/conversion.md). */
  conversion: ConversionConfig;
}

export const DEFAULT_AGENT_PORT = 8443;
export const DEFAULT_NBD_PORT = 10809;
export const DEFAULT_BY_ID_DIR = '/dev/disk/by-id';
/** How long a server's leases last without a heartbeat (docs/scale-out.md). */
export const DEFAULT_LEASE_MS = 30_000;
/** Volumes one KVM data-mover VM holds attached at once (virtio-blk leaves room for about 20 next to its own). */
export const DEFAULT_ATTACHMENT_SLOTS = 20;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigDefaults {
  host?: string;
  port?: number;
  dataDir?: string;
  agentPort?: number;
  nbdPort?: number;
  byIdDir?: string;
}

function parsePort(env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError('PORT', `must be an integer between 0 and 65535, got "${raw}"`);
  const port = Number(raw);
  if (port > 65535) throw new ConfigError('PORT', `must be an integer between 0 and 65535, got "${raw}"`);
  return port;
}

/** A port from the variable `name`, or `fallback` when it is unset or empty. */
export function parseNamedPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    throw new ConfigError(name, `must be an integer between 0 and 65535, got "${raw}"`);
  return port;
}

/** A positive whole number of milliseconds from `name` (at most an hour), or undefined when unset. */
function parseMilliseconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw) || ms < 1 || ms > 3_600_000)
    throw new ConfigError(name, `must be a number of milliseconds between 1 and 3600000, got "${raw}"`);
  return ms;
}

/** A positive integer from the variable `name`, or `fallback` when it is unset or empty. */
function parseCount(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const count = Number(raw);
  if (!/^\d+$/.test(raw) || count < 1) throw new ConfigError(name, `must be a positive integer, got "${raw}"`);
  return count;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** An https://host[:port] URL (an advertised listener agents dial), or undefined when unset. */
function parseHttpsUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  if (!/^https:\/\/[^\s/]+\/?$/.test(raw)) throw new ConfigError(name, `must be https://host:port, got "${raw}"`);
  return raw.replace(/\/$/, '');
}

function parseLogLevel(env: NodeJS.ProcessEnv): LogLevel {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (level === undefined) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}

function parseBoolean(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/** An on/off switch (on, off, true, false, 1, 0, yes, no); `fallback` when unset or empty. */
export function parseOnOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(on|1|true|yes)$/i.test(raw)) return true;
  if (/^(off|0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be on or off, got "${raw}"`);
}

function parseDatabaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/|mysql:\/\/|mariadb:\/\/)/.test(raw)) {
    throw new ConfigError(
      'DATABASE_URL',
      'must start with sqlite:, postgres://, postgresql://, mysql:// or mariadb://',
    );
  }
  return raw;
}

function parseAdminPassword(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.MIGRATEKIT_ADMIN_PASSWORD;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 8) throw new ConfigError('MIGRATEKIT_ADMIN_PASSWORD', 'must be at least 8 characters');
  return raw;
}

/** Reads and validates the server configuration; throws ConfigError naming the offending variable. */
export function loadServerConfig(env: NodeJS.ProcessEnv = process.env, defaults: ConfigDefaults = {}): ServerConfig {
  const dataDirRaw =
    env.MIGRATEKIT_DATA_DIR === undefined || env.MIGRATEKIT_DATA_DIR === '' ? undefined : env.MIGRATEKIT_DATA_DIR;
  const dataDir = dataDirRaw ?? defaults.dataDir ?? './data';
  const masterKey = env.MIGRATEKIT_MASTER_KEY === '' ? undefined : env.MIGRATEKIT_MASTER_KEY;
  if (masterKey !== undefined) {
    const decoded = decodeMasterKey(masterKey);
    if (typeof decoded === 'string') throw new ConfigError('MIGRATEKIT_MASTER_KEY', decoded);
  }
  const host = optional(env, 'HOST') ?? defaults.host ?? '127.0.0.1';
  return {
    host,
    port: parsePort(env, defaults.port ?? 8080),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(dataDir),
    databaseUrl: parseDatabaseUrl(env),
    masterKey,
    adminPassword: parseAdminPassword(env),
    logLevel: parseLogLevel(env),
    bodyLimitBytes: 1024 * 1024,
    sessionTtlMs: 12 * 60 * 60 * 1000,
    sseHeartbeatMs: 15_000,
    trustProxy: parseBoolean(env, 'MIGRATEKIT_TRUST_PROXY'),
    agentListener: {
      host: optional(env, 'MIGRATEKIT_AGENT_HOST') ?? host,
      port: parseNamedPort(env, 'MIGRATEKIT_AGENT_PORT', defaults.agentPort ?? DEFAULT_AGENT_PORT),
      advertiseUrl: parseHttpsUrl(env, 'MIGRATEKIT_AGENT_ADVERTISE_URL'),
    },
    nbd: {
      listener: parseOnOff(env, 'MIGRATEKIT_NBD_LISTENER', false),
      host: optional(env, 'MIGRATEKIT_NBD_HOST') ?? '0.0.0.0',
      port: parseNamedPort(env, 'MIGRATEKIT_NBD_PORT', defaults.nbdPort ?? DEFAULT_NBD_PORT),
      advertise: optional(env, 'MIGRATEKIT_NBD_ADVERTISE'),
    },
    byIdDir: optional(env, 'MIGRATEKIT_BY_ID_DIR') ?? defaults.byIdDir ?? DEFAULT_BY_ID_DIR,
    tls: { certPath: optional(env, 'MIGRATEKIT_TLS_CERT'), keyPath: optional(env, 'MIGRATEKIT_TLS_KEY') },
    serverId: optional(env, 'MIGRATEKIT_SERVER_ID') ?? hostname(),
    eventPollMs: parseMilliseconds(env, 'MIGRATEKIT_EVENT_POLL_MS'),
    dataMover: {
      vmId: optional(env, 'MIGRATEKIT_SERVER_VM_ID'),
      attachmentSlots:
        optional(env, 'MIGRATEKIT_ATTACHMENT_SLOTS') === undefined
          ? undefined
          : parseCount(env, 'MIGRATEKIT_ATTACHMENT_SLOTS', DEFAULT_ATTACHMENT_SLOTS),
    },
    leaseMs: parseCount(env, 'MIGRATEKIT_LEASE_MS', DEFAULT_LEASE_MS),
    conversion: parseConversionConfig(env, (variable, message) => {
      throw new ConfigError(variable, message);
    }),
  };
}
