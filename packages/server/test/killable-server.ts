// A server that can really be killed: `migratekit dev` with MIGRATEKIT_DEV_SIMULATORS=off as a child process on a
// SQLite file in a throwaway data dir, on fixed ports so a restart answers at the same URLs, while the vCenter and
// CloudStack simulators and the agent run in this process and keep running through the kill, as a real vCenter,
// cloud and agent host do when the MigrateKit server dies. Shared by the server's kill -9 failover test and the
// dashboard's e2e of a server killed mid-failover.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePorts } from '@migratekit/node-common';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAgent, SimulatorDiskAccess, type RunningAgent } from '@migratekit/agent';
import { startCloudStackSimulator, type CloudStackSimulatorHandle } from '@migratekit/sim-cloudstack';
import { startVCenterSimulator, type InventorySpec, type VCenterSimulator } from '@migratekit/sim-vcenter';

const BIN = resolve(import.meta.dirname, '..', '..', '..', 'bin', 'migratekit.mjs');
/** Start-up compiles TypeScript through tsx on a shared 2-core machine: bounded, but not tight. */
const START_TIMEOUT_MS = 60_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export interface KillableServer {
  /** http://127.0.0.1:<port>, the same after a restart. */
  url: string;
  dataDir: string;
  /** The SQLite file the server runs on (the test may read it while the server is dead). */
  databaseUrl: string;
  /** MIGRATEKIT_SERVER_ID: a restart is the same server, so it takes its own leases back at once. */
  serverId: string;
  vcenter: VCenterSimulator;
  cloudstack: CloudStackSimulatorHandle;
  credentialId: string;
  /** The running server process's pid; undefined while it is dead. */
  readonly pid: number | undefined;
  /** A call with the dev stack's CLI token (admin). */
  api<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** SIGKILL to the server process; resolves once it is gone, with the signal that ended it. */
  kill9(): Promise<NodeJS.Signals | null>;
  /** Starts the server again on the same data dir and ports; resolves once it answers and the agent is back. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface KillableServerOptions {
  inventory: InventorySpec;
  adminPassword: string;
  serverId?: string;
  /** A shared database (several servers, docs/scale-out.md); default: a SQLite file in the data dir. */
  databaseUrl?: string;
  /** More environment for the server process (MIGRATEKIT_LEASE_MS, MIGRATEKIT_MASTER_KEY...). */
  env?: NodeJS.ProcessEnv;
  /**
   * A second server on `peerOf`'s database: it uses the same simulators and credential and has no agent of its
   * own (the agent stays with the first server). Needs the same databaseUrl and MIGRATEKIT_MASTER_KEY.
   */
  peerOf?: KillableServer;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Child {
  process: ChildProcess;
  exited: Promise<NodeJS.Signals | null>;
  output: () => string;
}

/** `migratekit dev` as a child; resolves once its banner says it serves (recovery has run by then). */
async function startChild(env: NodeJS.ProcessEnv): Promise<Child> {
  const child = spawn(process.execPath, [BIN, 'dev'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server printed no banner within ${START_TIMEOUT_MS} ms\n${out}`));
    }, START_TIMEOUT_MS);
    const onData = (): void => {
      if (!/MigrateKit dev stack is running/.test(out)) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolveStart();
    };
    child.stdout.on('data', onData);
    void exited.then((signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited during start-up (${String(signal)})\n${out}`));
    });
  });
  return { process: child, exited, output: () => out };
}

export async function startKillableServer(options: KillableServerOptions): Promise<KillableServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mk-killable-'));
  const closers: Array<() => Promise<void>> = [
    () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
  ];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  let child: Child | undefined;
  // A test process that dies must not leave a server behind.
  const reap = (): void => void child?.process.kill('SIGKILL');
  process.once('exit', reap);
  closers.push(async () => {
    process.off('exit', reap);
    const running = child;
    if (running === undefined || running.process.exitCode !== null || running.process.signalCode !== null) return;
    running.process.kill('SIGTERM');
    const timer = setTimeout(() => running.process.kill('SIGKILL'), 10_000);
    await running.exited;
    clearTimeout(timer);
  });
  try {
    if (options.peerOf !== undefined) {
      const started = await startPeer(options, options.peerOf, dataDir, closers);
      child = started.child;
      return started.server;
    }
    const vcenter = await startVCenterSimulator({
      dataDir: join(dataDir, 'sim-vcenter'),
      inventory: options.inventory,
      nbd: { port: 0 },
      guestWrites: false,
      guestShutdownDelayMs: 300,
    });
    closers.push(() => vcenter.close());
    const byIdDir = join(dataDir, 'sim-cloudstack', 'by-id');
    const keys = { apiKey: 'kill9-api-key', secretKey: 'kill9-secret-key' };
    const cloudstack = await startCloudStackSimulator({ dataDir: join(dataDir, 'sim-cloudstack'), byIdDir, ...keys });
    closers.push(() => cloudstack.close());

    const { env, url, agentPort, serverId, databaseUrl } = await serverEnv(options, dataDir, byIdDir);
    child = await startChild(env);
    const { api, ok } = apiOf(url, dataDir);

    // What the dev estate does on the server's first start, here over HTTP: the simulators' credential and
    // CloudStack configuration, and an agent paired with a one-time token.
    const credential = await ok<{ id: string }>('POST', '/api/v1/vmware-credentials', {
      name: 'kill9-vcenter',
      vcenter_host: `${vcenter.host}:${vcenter.port}`,
      username: vcenter.username,
      password: vcenter.password,
      is_default: true,
    });
    await ok('POST', '/api/v1/cloudstack/config', {
      name: 'kill9-cloudstack',
      api_url: cloudstack.hostPort,
      api_key: keys.apiKey,
      secret_key: keys.secretKey,
      server_vm_id: cloudstack.serverVmId,
    });
    const pairing = await ok<{ token: string }>('POST', '/api/v1/agents/pairing-tokens', { ttl_seconds: 600 });
    const nbd = vcenter.nbd;
    assert.ok(nbd, 'the vCenter simulator exports its snapshot disks');
    const agent: RunningAgent = await runAgent({
      serverUrl: `https://127.0.0.1:${agentPort}`,
      pairingToken: pairing.token,
      stateDir: join(dataDir, 'agent'),
      name: 'kill9-agent',
      diskAccess: new SimulatorDiskAccess({ host: nbd.host, port: nbd.port }),
      vcenterThumbprints: { [`${vcenter.host}:${vcenter.port}`]: vcenter.thumbprints.sha256 },
      logger: quiet,
      // The server comes back within seconds: the agent must not sleep through it.
      backoff: { initialMs: 100, maxMs: 500 },
    });
    closers.push(() => agent.close());
    const agentOnline = () =>
      until('the agent to be online', async () => {
        const { items } = await ok<{ items: Array<{ id: string; connected: boolean }> }>('GET', '/api/v1/agents');
        return items.some((a) => a.id === agent.credential.agent_id && a.connected);
      });
    await agentOnline();

    return {
      url,
      dataDir,
      databaseUrl,
      serverId,
      vcenter,
      cloudstack,
      credentialId: credential.id,
      ...lifeOf(
        () => child,
        async () => {
          child = await startChild(env);
          await agentOnline();
        },
      ),
      api,
      close: closeAll,
    };
  } catch (error) {
    const output = child?.output() ?? '';
    await closeAll();
    throw output === '' ? error : new Error(`${String(error)}\nserver output:\n${output}`, { cause: error });
  }
}

async function serverEnv(options: KillableServerOptions, dataDir: string, byIdDir: string) {
  const [port, agentPort] = await freePorts(2);
  const serverId = options.serverId ?? 'kill9-server';
  const databaseUrl = options.databaseUrl ?? `sqlite:${join(dataDir, 'migratekit.db')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MIGRATEKIT_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    MIGRATEKIT_AGENT_PORT: String(agentPort),
    MIGRATEKIT_DEV_SIMULATORS: 'off',
    MIGRATEKIT_BY_ID_DIR: byIdDir,
    MIGRATEKIT_SERVER_ID: serverId,
    MIGRATEKIT_ADMIN_PASSWORD: options.adminPassword,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  return { env, url: `http://127.0.0.1:${port}`, agentPort, serverId, databaseUrl };
}

/** API calls with the dev stack's CLI token: `api` answers any status, `ok` asserts 2xx. */
function apiOf(url: string, dataDir: string) {
  const token = readFileSync(join(dataDir, 'cli-token'), 'utf8').trim();
  const api = async <T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
  };
  const ok = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const answer = await api<T>(method, path, body);
    assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  return { api, ok };
}

/** pid, kill9 and restart of the current child process. */
function lifeOf(
  current: () => Child | undefined,
  startAgain: () => Promise<void>,
): Pick<KillableServer, 'pid' | 'kill9' | 'restart'> {
  return {
    get pid() {
      const running = current()?.process;
      return running?.exitCode === null && running.signalCode === null ? running.pid : undefined;
    },
    async kill9() {
      const running = current();
      assert.ok(running, 'the server runs');
      running.process.kill('SIGKILL');
      return running.exited;
    },
    async restart() {
      const dead = current();
      assert.ok(dead?.process.exitCode !== null || dead.process.signalCode !== null, 'the server is dead');
      await startAgain();
    },
  };
}

/** A second server process on the first one's database and simulators, without an agent. */
async function startPeer(
  options: KillableServerOptions,
  first: KillableServer,
  dataDir: string,
  closers: Array<() => Promise<void>>,
): Promise<{ server: KillableServer; child: Child }> {
  // One CloudStack simulator: its server VM's attached volumes appear under the first server's by-id dir.
  const byIdDir = join(first.dataDir, 'sim-cloudstack', 'by-id');
  const { env, url, serverId, databaseUrl } = await serverEnv(
    { ...options, databaseUrl: options.databaseUrl ?? first.databaseUrl },
    dataDir,
    byIdDir,
  );
  let child = await startChild(env);
  const stop = async (): Promise<void> => {
    const running = child;
    if (running.process.exitCode !== null || running.process.signalCode !== null) return;
    running.process.kill('SIGTERM');
    const timer = setTimeout(() => running.process.kill('SIGKILL'), 10_000);
    await running.exited;
    clearTimeout(timer);
  };
  closers.push(stop);
  const { api } = apiOf(url, dataDir);
  const server: KillableServer = {
    url,
    dataDir,
    databaseUrl,
    serverId,
    vcenter: first.vcenter,
    cloudstack: first.cloudstack,
    credentialId: first.credentialId,
    ...lifeOf(
      () => child,
      async () => {
        child = await startChild(env);
      },
    ),
    api,
    close: async () => {
      for (const close of closers.splice(0).reverse()) await close();
    },
  };
  return { server, child };
}

export interface NetworkMapping {
  /** The source network's name in vCenter. */
  source: string;
  production: string;
  test: string;
}

/** Discovers `vms`, replicates each once and maps its networks; returns VM name -> context id. */
export async function readyForFailover(
  server: KillableServer,
  vms: readonly string[],
  mappings: readonly NetworkMapping[],
): Promise<Map<string, string>> {
  const discovered = await server.api<{ vms: Array<{ id: string; name: string }> }>('POST', '/api/v1/discover', {
    credential_id: server.credentialId,
  });
  assert.equal(discovered.status, 200, JSON.stringify(discovered.body));
  const ids = vms.map((name) => {
    const vm = discovered.body.vms.find((d) => d.name === name);
    assert.ok(vm, `${name} is discovered`);
    return vm.id;
  });
  const added = await server.api<{ results: Array<{ vm_id: string; context_id: string; job_id: string }> }>(
    'POST',
    '/api/v1/replications',
    { vm_ids: ids, credential_id: server.credentialId },
  );
  assert.equal(added.status, 200, JSON.stringify(added.body));
  const contexts = new Map<string, string>();
  for (const result of added.body.results) {
    const name = vms[ids.indexOf(result.vm_id)];
    assert.ok(name !== undefined);
    contexts.set(name, result.context_id);
    for (const m of mappings) {
      const mapped = await server.api(
        'PUT',
        `/api/v1/network-mappings/context/${result.context_id}/${encodeURIComponent(m.source)}`,
        { production_network_id: m.production, test_network_id: m.test },
      );
      assert.ok(mapped.status < 300, JSON.stringify(mapped.body));
    }
  }
  for (const result of added.body.results) {
    let job: { status: string } = { status: 'pending' };
    await until(
      `replication ${result.job_id}`,
      async () => {
        job = (await server.api<{ status: string }>('GET', `/api/v1/replications/${result.job_id}`)).body;
        return !['pending', 'replicating'].includes(job.status);
      },
      60_000,
    );
    assert.equal(job.status, 'completed', JSON.stringify(job));
  }
  return contexts;
}

export { until };
