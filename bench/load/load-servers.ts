// The control plane of a load run: `migratekit server` processes on one database, each with its own
// MIGRATEKIT_SERVER_ID, ports and data dir, and `migratekit agent` processes paired through the API (one-time token
// from the server the agent connects to first; it learns the others from it and fails over to them when that
// server dies: docs/scale-out.md#agents-and-scope), as an operator sets them up.
import { mkdirSync } from 'node:fs';
import { freePorts } from '@migratekit/node-common';
import { join } from 'node:path';
import { CLI_ENTRY, spawnChild, type Child } from './child-process';
import { LoadApi } from './load-api';
import type { LoadConfig } from './load-config';
import type { LoadCloudStack, LoadVCenter } from './load-simulators';

/** Start-up runs TypeScript through tsx (and the first server migrates the database) on a shared machine. */
const SERVER_START_MS = 180_000;
const AGENT_ONLINE_MS = 120_000;

export interface LoadServer {
  index: number;
  id: string;
  api: LoadApi;
  agentUrl: string;
  child: Child;
  /** Set when the harness killed it. */
  killedAt: number | undefined;
}

export async function startServer(
  config: LoadConfig,
  runDir: string,
  index: number,
  databaseUrl: string,
  cloudstack: LoadCloudStack,
): Promise<LoadServer> {
  const id = `load-server-${index + 1}`;
  const dataDir = join(runDir, id);
  mkdirSync(dataDir, { recursive: true });
  const [port, agentPort] = await freePorts(2);
  const child = spawnChild({
    name: id,
    args: [CLI_ENTRY, 'server'],
    env: {
      ...process.env,
      MIGRATEKIT_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      MIGRATEKIT_AGENT_PORT: String(agentPort),
      MIGRATEKIT_SERVER_ID: id,
      MIGRATEKIT_ADMIN_PASSWORD: config.adminPassword,
      MIGRATEKIT_MASTER_KEY: config.masterKey,
      MIGRATEKIT_BY_ID_DIR: cloudstack.byIdDir,
      MIGRATEKIT_CONVERTER: 'off',
      // The lease the takeover checks are measured against (servers that do not read it keep their own).
      MIGRATEKIT_LEASE_MS: String(config.leaseMs),
      LOG_LEVEL: 'warn',
    },
    logPath: join(runDir, `${id}.log`),
  });
  await child.waitForLine(/Agents connect to/, SERVER_START_MS);
  return {
    index,
    id,
    api: new LoadApi(id, `http://127.0.0.1:${port}`),
    agentUrl: `https://127.0.0.1:${agentPort}`,
    child,
    killedAt: undefined,
  };
}

/** Logs in as the bootstrap admin and creates an API token; the token lives in the shared database. */
export async function adminToken(server: LoadServer, password: string): Promise<string> {
  const login = await fetch(`${server.api.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
    signal: AbortSignal.timeout(30_000),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${server.api.url}/api/v1/api-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ name: 'load harness' }),
    signal: AbortSignal.timeout(30_000),
  });
  if (created.status >= 300) throw new Error(`token creation failed: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { token: string }).token;
}

/** The vCenter credential and the CloudStack configuration, stored once for every server. */
export async function configureTargets(
  api: LoadApi,
  vcenter: LoadVCenter,
  cloudstack: LoadCloudStack,
): Promise<string> {
  const credential = await api.ok<{ id: string }>('POST', '/api/v1/vmware-credentials', {
    name: 'load-vcenter',
    vcenter_host: `${vcenter.host}:${vcenter.port}`,
    username: vcenter.username,
    password: vcenter.password,
    is_default: true,
  });
  await api.ok('POST', '/api/v1/cloudstack/config', {
    name: 'load-cloudstack',
    api_url: cloudstack.hostPort,
    api_key: cloudstack.apiKey,
    secret_key: cloudstack.secretKey,
    server_vm_id: cloudstack.serverVmId,
  });
  return credential.id;
}

/** `migratekit agent` paired with `server` and connected to it. */
export async function startAgent(
  runDir: string,
  index: number,
  server: LoadServer,
  vcenter: LoadVCenter,
): Promise<Child> {
  const name = `load-agent-${index + 1}`;
  const pairing = await server.api.ok<{ token: string }>('POST', '/api/v1/agents/pairing-tokens', { ttl_seconds: 600 });
  const child = spawnChild({
    name,
    args: [
      CLI_ENTRY,
      'agent',
      ...['--server', server.agentUrl, '--state-dir', join(runDir, name), '--name', name],
      ...['--sim-nbd', `127.0.0.1:${vcenter.nbdPort}`],
      ...['--vcenter-thumbprint', `${vcenter.host}:${vcenter.port}=${vcenter.sha256}`],
      '--exit-with-parent',
    ],
    env: { ...process.env, MIGRATEKIT_PAIRING_TOKEN: pairing.token, LOG_LEVEL: 'warn' },
    logPath: join(runDir, `${name}.log`),
    stdinPipe: true,
  });
  const deadline = Date.now() + AGENT_ONLINE_MS;
  for (;;) {
    const { items } = await server.api.ok<{ items: Array<{ name: string; connected: boolean }> }>(
      'GET',
      '/api/v1/agents',
    );
    if (items.some((a) => a.name === name && a.connected)) return child;
    if (Date.now() > deadline) throw new Error(`${name} did not come online on ${server.id}\n${child.tail()}`);
    if (child.process.exitCode !== null) throw new Error(`${name} exited\n${child.tail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
