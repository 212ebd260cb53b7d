// `npm run load [-- postgres|mariadb]`: the load and failure harness (docs/benchmarks.md#load-and-failure-harness).
// On loopback only: a vCenter simulator of LOAD_VMS VMs and a CloudStack simulator as processes, LOAD_SERVERS
// `migratekit server` processes on one fresh database, LOAD_AGENTS `migratekit agent` processes; it discovers, adds
// every VM, replicates LOAD_REPLICATE of them on a schedule, SIGKILLs the scheduler leader mid-run, prints latency,
// throughput and takeover figures and the checks, and exits 1 when a check fails (2 when the run itself broke).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseHandle } from '@migratekit/db';
import { machine } from '../machine';
import { runChecks } from './load-checks';
import { loadConfig, type LoadConfig } from './load-config';
import { createRunDatabase, dropRunDatabase, openRunDatabase, runDatabaseUrl } from './load-database';
import { bulkAdd, createSchedule, discover, setScheduleEnabled } from './load-drive';
import { BackgroundSampler, sampleJobDetail, sampleList, type Percentiles } from './load-latency';
import { drain, runReplicationPhase } from './load-phase';
import { executionOutcomes } from './load-watch';
import { printReport, recordReport, type LoadSummary } from './load-report';
import { adminToken, configureTargets, startAgent, startServer, type LoadServer } from './load-servers';
import { seedContexts } from './load-seed';
import { startCloudStack, startVCenter } from './load-simulators';
import type { Child } from './child-process';
import type { LoadApi } from './load-api';

const log = (line: string): void => void process.stdout.write(`[load ${new Date().toISOString()}] ${line}\n`);

async function timed<T>(setupMs: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  setupMs[name] = Date.now() - started;
  log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function run(config: LoadConfig, runDir: string, children: Child[]): Promise<LoadSummary> {
  const setupMs: Record<string, number> = {};
  const [vcenter, cloudstack] = await timed(setupMs, 'simulators', () =>
    Promise.all([startVCenter(config, runDir), startCloudStack(config, runDir)]),
  );
  children.push(vcenter.child, cloudstack.child);
  const databaseUrl = runDatabaseUrl(config);
  const servers: LoadServer[] = [];
  let credentialId = '';
  await timed(setupMs, 'servers', async () => {
    // One after another: the first migrates the database and creates the admin; later ones find them.
    for (let i = 0; i < config.servers; i++) {
      const server = await startServer(config, runDir, i, databaseUrl, cloudstack);
      children.push(server.child);
      servers.push(server);
    }
    const token = await adminToken(servers[0] as LoadServer, config.adminPassword);
    for (const server of servers) server.api = server.api.withToken(token);
    credentialId = await configureTargets((servers[0] as LoadServer).api, vcenter, cloudstack);
  });
  await timed(setupMs, 'agents', async () => {
    for (let i = 0; i < config.agents; i++)
      children.push(await startAgent(runDir, i, servers[i] as LoadServer, vcenter));
  });
  const alive = (): LoadApi[] => servers.filter((s) => s.killedAt === undefined).map((s) => s.api);
  const withAgent = servers.slice(0, config.agents).map((s) => s.api);
  const first = withAgent[0] as LoadApi;
  const found = await timed(setupMs, 'discovery', () => discover(first, credentialId));
  log(`discovered ${found.vms.length} VMs`);
  const byName = [...found.vms].sort((a, b) => a.name.localeCompare(b.name));
  const added = await timed(setupMs, 'bulk add', () =>
    bulkAdd(withAgent, credentialId, byName.slice(0, config.apiAdd)),
  );
  log(`added ${added.contexts.size} contexts through the API (${added.failures.length} failures)`);
  for (const failure of new Set(added.failures)) log(`add failure: ${failure}`);
  const seeded = await timed(setupMs, 'seed contexts', () =>
    withRunDatabase(config, (db) =>
      seedContexts(db, { credentialId, vcenterHost: `${vcenter.host}:${vcenter.port}` }, byName.slice(config.apiAdd)),
    ),
  );
  const listIdle = (await sampleList(alive, config.latencySamples)).summary();
  log(`GET /api/v1/vm-contexts p99 ${listIdle.p99.toFixed(1)} ms`);
  const toReplicate = [...added.contexts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, config.replicate)
    .map(([, id]) => id);
  const schedule = await timed(setupMs, 'schedule', () => createSchedule(first, config, toReplicate));
  return withRunDatabase(config, (db) =>
    replicate(config, {
      servers,
      db,
      schedule,
      vcenterSnapshots: vcenter.snapshots,
      alive,
      setupMs,
      listIdle,
      contexts: added.contexts.size + seeded.size,
      contextsSeeded: seeded.size,
      addFailures: added.failures.length,
    }),
  );
}

async function withRunDatabase<T>(config: LoadConfig, work: (db: DatabaseHandle) => Promise<T>): Promise<T> {
  const db = openRunDatabase(config);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

interface ReplicateInput {
  servers: LoadServer[];
  db: DatabaseHandle;
  schedule: { scheduleId: string; contextIds: string[] };
  vcenterSnapshots: ReadonlyMap<string, number>;
  alive: () => LoadApi[];
  setupMs: Record<string, number>;
  listIdle: Percentiles;
  contexts: number;
  contextsSeeded: number;
  addFailures: number;
}

async function replicate(config: LoadConfig, input: ReplicateInput): Promise<LoadSummary> {
  const { servers, db, schedule, alive } = input;
  const phaseDeps = {
    config,
    db,
    servers,
    contextIds: new Set(schedule.contextIds),
    deadline: Date.now() + config.durationMs,
  };
  const sampler = new BackgroundSampler(alive, async () =>
    (await db.db.selectFrom('replication_jobs').select('id').execute()).map((r) => r.id),
  );
  log(`replicating ${schedule.contextIds.length} VMs on the schedule`);
  await setScheduleEnabled(alive()[0] as LoadApi, schedule.scheduleId, true);
  sampler.start();
  const phase = await runReplicationPhase(phaseDeps);
  await sampler.stop();
  log(
    `replication phase ${phase.finished ? 'finished' : 'hit the time limit'} after ${((phase.endedAt - phase.startedAt) / 1000).toFixed(1)} s`,
  );
  const api = alive()[0];
  if (api !== undefined) await setScheduleEnabled(api, schedule.scheduleId, false);
  await drain(phaseDeps, phase.kill, 2 * config.leaseMs + 10_000);
  const jobIds = (await db.db.selectFrom('replication_jobs').select('id').execute()).map((r) => r.id);
  const jobDetailIdle = (await sampleJobDetail(alive, jobIds, Math.min(config.latencySamples, 200))).summary();
  const { checks, jobs } = await runChecks({
    config,
    db,
    scheduleId: schedule.scheduleId,
    contextIds: schedule.contextIds,
    snapshots: input.vcenterSnapshots,
    kill: phase.kill,
    listIdle: input.listIdle,
  });
  const outcomes = await executionOutcomes(db, schedule.scheduleId);
  const completed = jobs.filter((j) => j.status === 'completed' && j.completed_at !== null);
  const first = Math.min(...jobs.map((j) => j.created_at.getTime()));
  const last = Math.max(...completed.map((j) => (j.completed_at as Date).getTime()));
  const minutes = completed.length > 0 ? Math.max(last - first, 1) / 60_000 : 1;
  return {
    engine: config.engine,
    servers: config.servers,
    agents: config.agents,
    vms: config.vms,
    replicate: config.replicate,
    setupMs: input.setupMs,
    contexts: input.contexts,
    contextsSeeded: input.contextsSeeded,
    addFailures: input.addFailures,
    latency: {
      listIdle: input.listIdle,
      listLoad: sampler.list.summary(),
      jobDetailLoad: sampler.jobDetail.summary(),
      jobDetailIdle,
    },
    jobsCompleted: completed.length,
    jobsPerMinute: completed.length / minutes,
    phaseMs: phase.endedAt - phase.startedAt,
    phaseFinished: phase.finished,
    outcomes,
    kill: phase.kill,
    checks,
  };
}

async function main(): Promise<number> {
  const config = loadConfig(process.argv.slice(2));
  const runDir = mkdtempSync(join(tmpdir(), 'migratekit-load-'));
  const children: Child[] = [];
  const machineAtStart = machine();
  log(`run dir ${runDir}, database ${config.databaseName} on ${config.engine}`);
  await createRunDatabase(config);
  try {
    const summary = await run(config, runDir, children);
    printReport(summary);
    if (process.env.LOAD_RECORD === '1') recordReport(summary, config, machineAtStart);
    return summary.checks.every((c) => c.ok) ? 0 : 1;
  } catch (error) {
    process.stderr.write(
      `load run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 2;
  } finally {
    for (const child of children.reverse()) await child.stop(5_000);
    await dropRunDatabase(config).catch((error: unknown) => log(`could not drop the database: ${String(error)}`));
    if (config.keep) log(`kept ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
