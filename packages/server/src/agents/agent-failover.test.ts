// Agent failover between servers sharing one database (docs/scale-out.md#agents-and-scope), over real HTTPS
// gateways, hubs and WebSockets, each server with its own certificate: the agent learns the other live servers
// from the welcome of the server it paired with and keeps them in its credential file; when that server dies it
// walks the peers round-robin, a peer advertised with a wrong fingerprint is refused by the pin before any byte
// is sent and skipped, and the next one takes the agent (agents.server_id follows). A restarted agent whose
// paired server is dead finds the peers in its file. Handlers see the server that sent each request.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AgentLink, pairWithServer, runAgent, SimulatorDiskAccess, type RunningAgent } from '@migratekit/agent';
import { normalizeFingerprint, type AgentCredential } from '@migratekit/agent/protocol';
import { systemClock } from '@migratekit/core';
import { createRepositories, type Repositories } from '@migratekit/db';
import { createSqliteTestDatabase } from '@migratekit/db/testing';
import { livePeerServers } from '../cluster/peer-servers';
import { createLogger } from '../logging/logger';
import { loadOrCreateServerCertificate } from '../nbd-target';
import { AgentHub } from './agent-hub';
import { startAgentListener } from '../../test/agent-listener';
import type { AgentPairingService } from './agent-pairing.service';

const silent = createLogger({ level: 'silent' });
const LEASE_MS = 60_000;
const BACKOFF = { initialMs: 50, maxMs: 200 };

interface TestServer {
  id: string;
  hub: AgentHub;
  pairing: AgentPairingService;
  url: string;
  fingerprint: string;
  /** The server dies: its agents are dropped, its listener closes and its lease ends. */
  stop(): Promise<void>;
}

interface Shared {
  dir: string;
  repositories: Repositories;
  /** Cleanups run last-registered first: agents stop before servers, servers before the database. */
  defer(close: () => unknown): void;
}

async function sharedDatabase(t: { after(fn: () => unknown): void }): Promise<Shared> {
  const closers: Array<() => unknown> = [];
  t.after(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  const dir = mkdtempSync(join(tmpdir(), 'mk-agent-failover-'));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  const database = await createSqliteTestDatabase();
  closers.push(() => database.drop());
  return { dir, repositories: createRepositories(database.db, systemClock), defer: (close) => closers.push(close) };
}

/** One server's agent side: hub, pairing and gateway with its own certificate, registered in `servers`. */
async function startServer(
  shared: Shared,
  id: string,
  options: { advertisedFingerprint?: string } = {},
): Promise<TestServer> {
  const { repositories } = shared;
  const dataDir = join(shared.dir, id);
  mkdirSync(dataDir, { recursive: true });
  const certificate = await loadOrCreateServerCertificate({ dataDir });
  const hub = new AgentHub({
    agents: repositories.agents,
    clock: systemClock,
    logger: silent,
    serverId: id,
    peerServers: () => livePeerServers(repositories.servers, id),
  });
  const { pairing, app, gateway } = await startAgentListener({ repositories, hub, certificate });
  const fingerprint = normalizeFingerprint(certificate.fingerprint256);
  await repositories.servers.register(
    {
      id,
      api_url: null,
      agent_url: gateway.url,
      agent_fingerprint: options.advertisedFingerprint ?? fingerprint,
      data_mover_vm_id: null,
      attachment_slots: 20,
    },
    LEASE_MS,
  );
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await hub.close();
      await gateway.close();
      await app.close();
      await repositories.servers.expire(id);
    })());
  shared.defer(stop);
  return { id, hub, pairing, url: gateway.url, fingerprint, stop };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function storedCredential(stateDir: string): AgentCredential {
  return JSON.parse(readFileSync(join(stateDir, 'agent-credential.json'), 'utf8')) as AgentCredential;
}

test(
  'the agent learns the other servers, keeps them, skips a peer whose pin fails and fails over to the next',
  { timeout: 120_000 },
  async (t) => {
    const shared = await sharedDatabase(t);
    const a = await startServer(shared, 'server-a');
    // B listens and is live, but the fingerprint it advertises is not its certificate's: the pin must refuse it.
    const b = await startServer(shared, 'server-b', { advertisedFingerprint: 'ab'.repeat(32) });
    const c = await startServer(shared, 'server-c');
    // A live server advertising no usable address is left out, not sent to break every agent's welcome.
    await shared.repositories.servers.register(
      {
        id: 'server-d',
        api_url: null,
        agent_url: 'server-d:8443',
        agent_fingerprint: c.fingerprint,
        data_mover_vm_id: null,
        attachment_slots: 20,
      },
      LEASE_MS,
    );
    const stateDir = join(shared.dir, 'agent');
    const agentOptions = {
      serverUrl: a.url,
      stateDir,
      name: 'failover-agent',
      diskAccess: new SimulatorDiskAccess({ host: '127.0.0.1', port: 1 }),
      logger: silent,
      backoff: BACKOFF,
    };
    let agent: RunningAgent = await runAgent({
      ...agentOptions,
      pairingToken: (await a.pairing.issueToken('admin')).token,
    });
    shared.defer(() => agent.close());
    const agentId = agent.credential.agent_id;
    await a.hub.waitForAgent(10_000, agentId);
    await until('the peers to be stored', () => (storedCredential(stateDir).peers ?? []).length === 2);
    assert.deepEqual(
      storedCredential(stateDir).peers?.map((p) => [p.id, p.agent_url]),
      [
        ['server-b', b.url],
        ['server-c', c.url],
      ],
    );

    await a.stop();
    await c.hub.waitForAgent(15_000, agentId);
    assert.equal(agent.link.endpoint.url, c.url);
    assert.equal(b.hub.isConnected(agentId), false, 'the peer with the wrong pin never got the agent');
    await until(
      'the agent to be recorded on C',
      async () => (await shared.repositories.agents.get(agentId))?.server_id === 'server-c',
    );

    // A restarted agent whose paired server is still dead finds C through its credential file.
    await agent.close();
    await until('C to see the agent leave', () => !c.hub.isConnected(agentId));
    agent = await runAgent(agentOptions);
    await c.hub.waitForAgent(15_000, agentId);
    assert.equal(agent.link.endpoint.url, c.url);
    assert.equal(b.hub.isConnected(agentId), false);
  },
);

test(
  'requests carry the server that sent them: after a failover, replicate sees the new server',
  { timeout: 120_000 },
  async (t) => {
    const shared = await sharedDatabase(t);
    const a = await startServer(shared, 'server-a');
    const b = await startServer(shared, 'server-b');
    const credential = await pairWithServer(a.url, (await a.pairing.issueToken('admin')).token, 'endpoint-agent');
    const learned: string[][] = [];
    const link = new AgentLink({
      credential,
      logger: silent,
      backoff: BACKOFF,
      onPeersLearned: (peers) => learned.push(peers.map((p) => p.id)),
      // The server the request came from, as the real replicate handler uses it for NBD over the agent port.
      handlers: { replicate: (_params, ctx) => Promise.resolve(ctx.server) },
    });
    link.start();
    shared.defer(() => link.close());
    const replicateOn = (server: TestServer) =>
      server.hub.request(credential.agent_id, 'replicate', {} as never, { timeoutMs: 5_000 }) as unknown as Promise<{
        url: string;
        fingerprint: string;
      }>;

    await until('the welcome to be read', () => learned.length > 0);
    assert.deepEqual(learned, [['server-b']]);
    assert.deepEqual(await replicateOn(a), { url: a.url, fingerprint: credential.server_fingerprint });

    await a.stop();
    await b.hub.waitForAgent(15_000, credential.agent_id);
    const seen = await replicateOn(b);
    assert.deepEqual([seen.url, normalizeFingerprint(seen.fingerprint)], [b.url, b.fingerprint]);
  },
);
