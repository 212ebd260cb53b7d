// The simulated estate of `migratekit dev`: the vCenter simulator (demo estate, guest writes, snapshot disks
// over NBD), the CloudStack simulator (its server VM is where volumes attach), the VMware credential and
// CloudStack configuration for them (created through the API on first start, kept up to date after; the server
// picks the configuration up without a restart), and an agent paired through the real path: its own child process
// by default (dev-agent-process.ts), or inside this process for tests that cut its link by hand.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runAgent, SimulatorDiskAccess, type RunningAgent } from '@migratekit/agent';
import { startCloudStackSimulator, type CloudStackSimulatorHandle } from '@migratekit/sim-cloudstack';
import { startVCenterSimulator, type InventorySpec, type VCenterSimulator } from '@migratekit/sim-vcenter';
import type { Logger } from 'pino';
import type { RunningServer } from '../server-runtime';
import { DevAgentProcess, pairedAgentId } from './dev-agent-process';

export const DEV_CREDENTIAL_NAME = 'dev-vcenter';
export const DEV_CLOUDSTACK_NAME = 'dev-cloudstack';

interface DevCloudStackKeys {
  apiKey: string;
  secretKey: string;
}

/** Fresh simulator keys on every start: the stored configuration is updated to them, so none is ever fixed. */
function newDevCloudStackKeys(): DevCloudStackKeys {
  return { apiKey: randomBytes(32).toString('base64url'), secretKey: randomBytes(32).toString('base64url') };
}

/** The simulators' ports (the server's own listeners come from its configuration). */
export interface DevPorts {
  vcenter: number;
  vcenterNbd: number;
  cloudstack: number;
}

export const DEFAULT_DEV_PORTS: DevPorts = { vcenter: 18443, vcenterNbd: 10810, cloudstack: 18080 };

export interface DevEstateOptions {
  server: RunningServer;
  dataDir: string;
  /** Where the CloudStack simulator makes its by-id links (the server's MIGRATEKIT_BY_ID_DIR). */
  byIdDir: string;
  cliToken: string;
  logger: Logger;
  ports: DevPorts;
  /** Replaces the demo estate (tests use small disks). */
  inventory?: InventorySpec;
  /** Start the random guest-write generator (the demo); tests write by hand. */
  guestWrites?: boolean;
  agentHeartbeatTimeoutMs?: number;
  /** 'process' (default): `migratekit agent` as a child process; 'in-process': runAgent here (tests). */
  agent?: DevAgentMode;
  logLevel?: string;
  /** How long a simulated guest takes to shut down (the vCenter simulator's default when absent). */
  guestShutdownDelayMs?: number;
}

export type DevAgentMode = 'process' | 'in-process';

export interface DevEstate {
  vcenter: VCenterSimulator;
  cloudstack: CloudStackSimulatorHandle;
  /** The id the dev agent paired as. */
  agentId: string;
  /** The agent's child process (agent mode 'process'). */
  agentProcess: DevAgentProcess | undefined;
  /** The agent inside this process (agent mode 'in-process'). */
  agent: RunningAgent | undefined;
  credentialId: string;
  /** Starts a new in-process agent on the same credential (after `agent.close()` in tests). */
  restartAgent(): Promise<RunningAgent>;
  close(): Promise<void>;
}

async function api<T>(server: RunningServer, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await server.app.inject({
    method: method as 'GET',
    url: path,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  if (response.statusCode >= 400) throw new Error(`${method} ${path}: ${response.statusCode} ${response.body}`);
  return response.json<T>();
}

/** The credential for the simulator, created once and pointed at the simulator's current address. */
async function ensureCredential(server: RunningServer, token: string, vcenter: VCenterSimulator): Promise<string> {
  const host = `${vcenter.host}:${vcenter.port}`;
  const { items } = await api<{ items: Array<{ id: string; name: string; vcenter_host: string }> }>(
    server,
    token,
    'GET',
    '/api/v1/vmware-credentials',
  );
  const existing = items.find((c) => c.name === DEV_CREDENTIAL_NAME);
  if (existing === undefined) {
    const created = await api<{ id: string }>(server, token, 'POST', '/api/v1/vmware-credentials', {
      name: DEV_CREDENTIAL_NAME,
      vcenter_host: host,
      username: vcenter.username,
      password: vcenter.password,
      is_default: true,
    });
    return created.id;
  }
  if (existing.vcenter_host !== host)
    await api(server, token, 'PUT', `/api/v1/vmware-credentials/${existing.id}`, {
      vcenter_host: host,
      password: vcenter.password,
    });
  return existing.id;
}

async function ensureCloudStackConfig(
  server: RunningServer,
  token: string,
  cloudstack: CloudStackSimulatorHandle,
  keys: DevCloudStackKeys,
): Promise<void> {
  const found = await server.app.inject({
    method: 'GET',
    url: '/api/v1/cloudstack/config',
    headers: { authorization: `Bearer ${token}` },
  });
  const body = {
    api_url: cloudstack.hostPort,
    api_key: keys.apiKey,
    secret_key: keys.secretKey,
    server_vm_id: cloudstack.serverVmId,
  };
  if (found.statusCode === 404)
    await api(server, token, 'POST', '/api/v1/cloudstack/config', { name: DEV_CLOUDSTACK_NAME, ...body });
  else await api(server, token, 'PUT', '/api/v1/cloudstack/config', body);
}

export async function startDevEstate(options: DevEstateOptions): Promise<DevEstate> {
  const { server, logger, dataDir, ports } = options;
  const services = server.services;
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: String(error) }, 'dev estate: close failed');
      }
    }
  };
  const keys = newDevCloudStackKeys();
  try {
    const vcenter = await startVCenterSimulator({
      dataDir: join(dataDir, 'sim-vcenter'),
      port: ports.vcenter,
      nbd: { port: ports.vcenterNbd },
      guestWrites: options.guestWrites === false ? false : { intervalMs: 5_000 },
      ...(options.inventory === undefined ? {} : { inventory: options.inventory }),
      ...(options.guestShutdownDelayMs === undefined ? {} : { guestShutdownDelayMs: options.guestShutdownDelayMs }),
      logger: logger.child({ component: 'sim-vcenter' }),
    });
    closers.push(() => vcenter.close());
    const byIdDir = options.byIdDir;
    const cloudstack = await startCloudStackSimulator({
      dataDir: join(dataDir, 'sim-cloudstack'),
      byIdDir,
      port: ports.cloudstack,
      apiKey: keys.apiKey,
      secretKey: keys.secretKey,
      logger: logger.child({ component: 'sim-cloudstack' }),
    });
    closers.push(() => cloudstack.close());
    const credentialId = await ensureCredential(server, options.cliToken, vcenter);
    await ensureCloudStackConfig(server, options.cliToken, cloudstack, keys);
    const startAgent = async (): Promise<RunningAgent> => {
      const issued = await services.agentPairing.issueToken('migratekit dev', 10 * 60_000);
      const agent = await runAgent({
        serverUrl: server.gateway.url,
        pairingToken: issued.token,
        stateDir: join(dataDir, 'agent'),
        name: 'dev-agent',
        diskAccess: new SimulatorDiskAccess({ host: vcenter.host, port: vcenter.nbd?.port ?? ports.vcenterNbd }),
        vcenterThumbprints: { [`${vcenter.host}:${vcenter.port}`]: vcenter.thumbprints.sha256 },
        logger: logger.child({ component: 'agent' }),
        backoff: { initialMs: 200, maxMs: 5_000 },
      });
      await server.composition.adapters.hub.waitForAgent(30_000, agent.credential.agent_id);
      return agent;
    };
    const agentDir = join(dataDir, 'agent');
    let agent: RunningAgent | undefined;
    let agentProcess: DevAgentProcess | undefined;
    if ((options.agent ?? 'process') === 'in-process') {
      agent = await startAgent();
      closers.push(() => agent?.close() ?? Promise.resolve());
    } else {
      agentProcess = new DevAgentProcess({
        serverUrl: server.gateway.url,
        stateDir: agentDir,
        name: 'dev-agent',
        issuePairingToken: async () => (await services.agentPairing.issueToken('migratekit dev', 10 * 60_000)).token,
        simNbd: `${vcenter.host}:${vcenter.nbd?.port ?? ports.vcenterNbd}`,
        vcenterThumbprint: `${vcenter.host}:${vcenter.port}=${vcenter.thumbprints.sha256}`,
        logLevel: options.logLevel ?? 'info',
        logger,
      });
      closers.push(() => agentProcess?.close() ?? Promise.resolve());
      await agentProcess.start();
      await server.composition.adapters.hub.waitForAgent(60_000);
    }
    const agentId = agent?.credential.agent_id ?? pairedAgentId(agentDir, server.gateway.url);
    if (agentId === undefined) throw new Error(`the dev agent left no credential in ${agentDir}`);
    return {
      vcenter,
      cloudstack,
      agentId,
      agentProcess,
      get agent() {
        return agent;
      },
      credentialId,
      restartAgent: async () => {
        agent = await startAgent();
        return agent;
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
