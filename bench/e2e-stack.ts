// The whole product for the end-to-end benchmark, laid out as in production: the vCenter and CloudStack simulators
// in this process (the remote systems), the server in its own process (e2e-server-process.ts: the dev stack without
// simulators, the NBD target on its own TLS-PSK port), and the agent in its own process (`migratekit agent`, paired
// with a one-time token, reading the simulator's snapshot disks over NBD). Every child is killed when this process
// ends, however it ends.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCloudStackSimulator, type CloudStackSimulatorHandle } from '@migratekit/sim-cloudstack';
import { startVCenterSimulator, type InventorySpec, type VCenterSimulator } from '@migratekit/sim-vcenter';
import { DevAgentProcess } from '../packages/server/src/dev/dev-agent-process';
import { createLogger } from '../packages/server/src/logging/logger';
import type { ServerAnswer, ServerReady, ServerRequest } from './e2e-server-process';

const SERVER_ENTRY = fileURLToPath(new URL('./e2e-server-process.ts', import.meta.url));
/** Start-up compiles TypeScript through tsx on a shared machine: bounded, not tight. */
const START_TIMEOUT_MS = 120_000;
const API_TIMEOUT_MS = 60_000;

export const E2E_VM = 'e2e-01';
export const E2E_DISK_KEY = 2000;

export interface E2eStack {
  vcenter: VCenterSimulator;
  cloudstack: CloudStackSimulatorHandle;
  credentialId: string;
  /** The server's NBD target on its own port (TLS-PSK), 127.0.0.1. */
  nbdPort: number;
  serverPid: number;
  agentPid: number;
  /** A call with the admin's CLI token; throws on a non-2xx answer. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Puts a key into, or takes it out of, the NBD target's PSK table (the nbdcopy runs). */
  psk(identity: string, keyHex: string | undefined): Promise<void>;
  close(): Promise<void>;
}

function inventory(diskBytes: number): InventorySpec {
  return {
    datacenters: [
      {
        name: 'DC-Bench',
        hosts: [{ name: 'esx01.bench.local' }],
        datastores: [{ name: 'DS-Bench', capacityGiB: Math.ceil(diskBytes / 2 ** 30) * 4 + 16 }],
        networks: [{ name: 'VLAN 100 - Bench', vlan: 100 }],
        vms: [
          {
            name: E2E_VM,
            host: 'esx01.bench.local',
            guest: 'linux',
            guestId: 'ubuntu64Guest',
            guestFullName: 'Ubuntu Linux (64-bit)',
            powerState: 'poweredOn',
            cbtEnabled: true,
            disks: [{ capacityBytes: diskBytes, datastore: 'DS-Bench', seedBytes: 0 }],
            nics: [{ network: 'VLAN 100 - Bench' }],
          },
        ],
      },
    ],
  };
}

/** Children to kill if this process ends before close() (an exception, Ctrl+C, the run's time bound). */
const children = new Set<number>();
process.on('exit', () => {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

function withTimeout<T>(what: string, work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function forkServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; ready: ServerReady }> {
  const child = fork(SERVER_ENTRY, [], {
    env,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  if (child.pid !== undefined) children.add(child.pid);
  let output = '';
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString('utf8')).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const ready = await withTimeout(
    'the server process',
    new Promise<ServerReady>((resolve, reject) => {
      child.once('message', (message: ServerReady) => resolve(message));
      child.once('exit', (code) => reject(new Error(`the server process exited (${String(code)}): ${output}`)));
    }),
    START_TIMEOUT_MS,
  );
  return { child, ready };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startE2eStack(dir: string, diskBytes: number): Promise<E2eStack> {
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const step of closers.splice(0).reverse()) await step().catch((error: unknown) => console.error(error));
  };
  try {
    const vcenter = await startVCenterSimulator({
      dataDir: join(dir, 'sim-vcenter'),
      inventory: inventory(diskBytes),
      nbd: { port: 0 },
      guestWrites: false,
    });
    closers.push(() => vcenter.close());
    const byIdDir = join(dir, 'sim-cloudstack', 'by-id');
    const keys = { apiKey: 'e2e-bench-api-key', secretKey: 'e2e-bench-secret-key' };
    const cloudstack = await startCloudStackSimulator({ dataDir: join(dir, 'sim-cloudstack'), byIdDir, ...keys });
    closers.push(() => cloudstack.close());

    const dataDir = join(dir, 'server');
    mkdirSync(dataDir, { recursive: true });
    const { child, ready } = await forkServer({
      ...process.env,
      MIGRATEKIT_DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${join(dataDir, 'migratekit.db')}`,
      HOST: '127.0.0.1',
      PORT: '0',
      MIGRATEKIT_DEV_SIMULATORS: 'off',
      MIGRATEKIT_BY_ID_DIR: byIdDir,
      MIGRATEKIT_NBD_LISTENER: 'on',
      MIGRATEKIT_NBD_HOST: '127.0.0.1',
      MIGRATEKIT_SERVER_ID: 'e2e-bench',
      MIGRATEKIT_ADMIN_PASSWORD: 'e2e-bench-admin-password',
      MIGRATEKIT_CONVERTER: 'off',
      LOG_LEVEL: 'warn',
    });
    closers.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      if (child.pid !== undefined) children.delete(child.pid);
    });
    const token = readFileSync(ready.cliTokenPath, 'utf8').trim();
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${ready.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(API_TIMEOUT_MS),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 2000)}`);
      return (text === '' ? null : JSON.parse(text)) as T;
    };
    let nextId = 0;
    const psk = (identity: string, keyHex: string | undefined): Promise<void> => {
      const id = ++nextId;
      const request: ServerRequest =
        keyHex === undefined ? { type: 'psk-remove', id, identity } : { type: 'psk-add', id, identity, keyHex };
      const answered = new Promise<void>((resolve) => {
        const onMessage = (message: ServerAnswer): void => {
          if (message.type !== 'done' || message.id !== id) return;
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
      });
      child.send(request);
      return withTimeout('the server process (psk)', answered, API_TIMEOUT_MS);
    };

    // What the dev estate does on a first start, over HTTP: the simulators' credential and CloudStack configuration.
    const credential = await api<{ id: string }>('POST', '/api/v1/vmware-credentials', {
      name: 'e2e-vcenter',
      vcenter_host: `${vcenter.host}:${vcenter.port}`,
      username: vcenter.username,
      password: vcenter.password,
      is_default: true,
    });
    await api('POST', '/api/v1/cloudstack/config', {
      name: 'e2e-cloudstack',
      api_url: cloudstack.hostPort,
      ...{ api_key: keys.apiKey, secret_key: keys.secretKey },
      server_vm_id: cloudstack.serverVmId,
    });
    const nbd = vcenter.nbd;
    if (nbd === undefined) throw new Error('the vCenter simulator exports no snapshot disks');
    const agent = new DevAgentProcess({
      serverUrl: ready.agentUrl,
      stateDir: join(dir, 'agent'),
      name: 'e2e-agent',
      issuePairingToken: async () =>
        (await api<{ token: string }>('POST', '/api/v1/agents/pairing-tokens', { ttl_seconds: 600 })).token,
      simNbd: `${nbd.host}:${nbd.port}`,
      vcenterThumbprint: `${vcenter.host}:${vcenter.port}=${vcenter.thumbprints.sha256}`,
      logLevel: 'warn',
      logger: createLogger({ level: 'warn' }),
    });
    closers.push(() => agent.close());
    await agent.start();
    await until(
      'the agent to be online',
      async () =>
        (await api<{ items: Array<{ connected: boolean }> }>('GET', '/api/v1/agents')).items.some((a) => a.connected),
      START_TIMEOUT_MS,
    );
    const agentPid = agent.pid;
    if (agentPid === undefined || child.pid === undefined) throw new Error('the agent or server process has no pid');
    children.add(agentPid);
    closers.push(() => Promise.resolve(void children.delete(agentPid)));
    return {
      vcenter,
      cloudstack,
      credentialId: credential.id,
      nbdPort: ready.nbdPort,
      serverPid: child.pid,
      agentPid,
      api,
      psk,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export { until };
