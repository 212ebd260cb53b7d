// The load harness's knobs (docs/benchmarks.md#load-and-failure-harness): every size, count and time limit comes
// from the environment with the figures as defaults, so CI runs the same code at a tiny scale.
import { randomBytes } from 'node:crypto';

export type LoadEngine = 'postgres' | 'mariadb';

export interface LoadConfig {
  engine: LoadEngine;
  /** Admin URL of the database server; the run creates and drops its own database there. */
  adminUrl: string;
  databaseName: string;
  servers: number;
  agents: number;
  vms: number;
  /** How many of the managed VMs the schedule replicates (each once: replication_type initial). */
  replicate: number;
  /** VMs added through the API (at least `replicate`); the rest are written as contexts by bench/load/load-seed.ts. */
  apiAdd: number;
  /** Disk sizes cycle from minDiskMiB to maxDiskMiB. */
  minDiskMiB: number;
  maxDiskMiB: number;
  /** The whole run's time limit; the replication phase ends when every VM is done or this runs out. */
  durationMs: number;
  /** SIGKILL to the scheduler leader once this share of the replications has completed (0: no kill). */
  killAfterShare: number;
  /** Work leases of the servers; takeover must happen within two of them (the acceptance). */
  leaseMs: number;
  /** The schedule starts at most this many jobs at once. */
  maxConcurrentJobs: number;
  latencySamples: number;
  /** GET /api/v1/vm-contexts p99 must stay under this (the acceptance: 50 ms). */
  listP99TargetMs: number;
  /** Where the run keeps its data dirs and process logs (removed at the end unless LOAD_KEEP=1). */
  keep: boolean;
  adminPassword: string;
  /** One base64 key for every server: they share the credentials stored in the database. */
  masterKey: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function share(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new Error(`${name} must be a number in [0, 1), got "${raw}"`);
  return n;
}

function engineOf(argv: readonly string[], env: NodeJS.ProcessEnv): LoadEngine {
  const raw = (argv.find((a) => !a.startsWith('-')) ?? env.LOAD_ENGINE ?? 'postgres').toLowerCase();
  if (raw === 'postgres' || raw === 'pg' || raw === 'postgresql') return 'postgres';
  if (raw === 'mariadb' || raw === 'mysql') return 'mariadb';
  throw new Error(`engine must be postgres or mariadb, got "${raw}"`);
}

/** `npm run load [-- postgres|mariadb]`; LOAD_* variables scale it (see docs/benchmarks.md). */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LoadConfig {
  const engine = engineOf(argv, env);
  const adminUrl =
    engine === 'postgres'
      ? (env.LOAD_PG_URL ?? env.MIGRATEKIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
      : (env.LOAD_MARIADB_URL ?? env.MIGRATEKIT_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/mysql');
  const vms = integer(env, 'LOAD_VMS', 10_000, 1);
  const replicate = Math.min(vms, integer(env, 'LOAD_REPLICATE', 500, 0));
  const minDiskMiB = integer(env, 'LOAD_DISK_MIN_MIB', 1, 1);
  const config: LoadConfig = {
    engine,
    adminUrl,
    databaseName: env.LOAD_DB_NAME ?? `migratekit_load_${engine === 'postgres' ? 'pg' : 'mariadb'}`,
    servers: integer(env, 'LOAD_SERVERS', 3, 1),
    agents: integer(env, 'LOAD_AGENTS', 2, 1),
    vms,
    replicate,
    apiAdd: Math.min(vms, Math.max(replicate, integer(env, 'LOAD_API_ADD', vms, 0))),
    minDiskMiB,
    maxDiskMiB: Math.max(minDiskMiB, integer(env, 'LOAD_DISK_MAX_MIB', 16, 1)),
    durationMs: integer(env, 'LOAD_DURATION_S', 1_200, 10) * 1000,
    killAfterShare: share(env, 'LOAD_KILL_AFTER', 0.3),
    leaseMs: integer(env, 'LOAD_LEASE_MS', 30_000, 1),
    maxConcurrentJobs: integer(env, 'LOAD_MAX_JOBS', 20, 1),
    latencySamples: integer(env, 'LOAD_LATENCY_SAMPLES', 300, 1),
    listP99TargetMs: integer(env, 'LOAD_LIST_P99_MS', 50, 1),
    keep: env.LOAD_KEEP === '1',
    adminPassword: `load-${randomBytes(8).toString('hex')}`,
    masterKey: randomBytes(32).toString('base64'),
  };
  if (config.agents > config.servers)
    throw new Error('LOAD_AGENTS must not exceed LOAD_SERVERS (one agent per server)');
  if (!/^[a-z0-9_]+$/.test(config.databaseName)) throw new Error('LOAD_DB_NAME: lower-case letters, digits, _ only');
  return config;
}
