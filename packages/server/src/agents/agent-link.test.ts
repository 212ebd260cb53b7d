// The agent link over a real HTTPS gateway and WebSocket: pairing pins the server and a token works once,
// requests with progress, the version check at the handshake, a silent agent failing its requests on a
// ManualClock (no wall-clock waits for the 60 s), and NBD upgraded on the same listener.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AgentLink, agentPortNbdTransport, pairWithServer, runAgent, SimulatorDiskAccess } from '@migratekit/agent';
import { ManualClock, systemClock, type Clock } from '@migratekit/core';
import { createRepositories } from '@migratekit/db';
import { createSqliteTestDatabase } from '@migratekit/db/testing';
import { NbdClient } from '@migratekit/nbd';
import { createLogger } from '../logging/logger';
import { loadOrCreateServerCertificate, NbdTarget } from '../nbd-target';
import { AgentHub } from './agent-hub';
import { startAgentListener } from '../../test/agent-listener';
import { nbdUpgradeHandler, type NbdUpgradeHandler } from './nbd-upgrade';

const silent = createLogger({ level: 'silent' });

async function fixture(
  t: { after(fn: () => unknown): void },
  hubClock: Clock = systemClock,
  options: { nbdUpgrade?: NbdUpgradeHandler } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'mk-agentlink-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const database = await createSqliteTestDatabase();
  t.after(() => database.drop());
  const repositories = createRepositories(database.db, systemClock);
  const certificate = await loadOrCreateServerCertificate({ dataDir: dir });
  const hub = new AgentHub({
    agents: repositories.agents,
    clock: hubClock,
    logger: silent,
    heartbeatTimeoutMs: 60_000,
  });
  const { pairing, app, gateway } = await startAgentListener({
    repositories,
    hub,
    certificate,
    nbdUpgrade: options.nbdUpgrade,
  });
  t.after(async () => {
    await hub.close();
    await gateway.close();
    await app.close();
  });
  return { dir, repositories, hub, pairing, gateway, certificate };
}

test(
  'pairing: pinned fingerprint, credential file 0600, a token works once, a wrong pin sends nothing',
  { timeout: 120_000 },
  async (t) => {
    const f = await fixture(t);
    const { token } = await f.pairing.issueToken('admin');
    const running = await runAgent({
      serverUrl: f.gateway.url,
      pairingToken: token,
      stateDir: join(f.dir, 'agent'),
      name: 'agent-under-test',
      diskAccess: new SimulatorDiskAccess({ host: '127.0.0.1', port: 1 }),
      logger: silent,
    });
    t.after(() => running.close());
    assert.equal(statSync(join(f.dir, 'agent', 'agent-credential.json')).mode & 0o777, 0o600);
    await f.hub.waitForAgent(10_000, running.credential.agent_id);
    const row = await f.repositories.agents.get(running.credential.agent_id);
    assert.equal(row?.name, 'agent-under-test');
    assert.notEqual(row?.certificate_fingerprint, running.credential.secret, 'only a hash of the secret is stored');

    await assert.rejects(pairWithServer(f.gateway.url, token, 'again'), { code: 'MKE_UNAUTHENTICATED' });

    const other = await f.pairing.issueToken('admin');
    const forged = other.token.replace(/\.[0-9a-f]{64}$/, `.${'0'.repeat(64)}`);
    await assert.rejects(pairWithServer(f.gateway.url, forged, 'mitm'), { code: 'MKE_UPSTREAM_TLS' });
    // The forged attempt never reached the server: the real token is still unused.
    await pairWithServer(f.gateway.url, other.token, 'second');
  },
);

test(
  'requests travel the WebSocket with progress, a cut link reconnects, a newer version is refused at the handshake',
  { timeout: 120_000 },
  async (t) => {
    const f = await fixture(t);
    const credential = await pairWithServer(f.gateway.url, (await f.pairing.issueToken('admin')).token, 'a1');
    const link = new AgentLink({
      credential,
      logger: silent,
      backoff: { initialMs: 20, maxMs: 200 },
      handlers: {
        'vm.power': (params, ctx) => {
          ctx.progress({ step: 'asking' });
          return Promise.resolve({ power_state: 'poweredOff', outcome: (params as { action: string }).action });
        },
      },
    });
    link.start();
    t.after(() => link.close());
    await f.hub.waitForAgent(10_000, credential.agent_id);
    const progress: unknown[] = [];
    const result = await f.hub.request(
      credential.agent_id,
      'vm.power',
      { vcenter: { host: 'vc', username: 'u', password: 'p' }, vm_id: 'x', action: 'off' },
      { timeoutMs: 5_000, onProgress: (p) => progress.push(p) },
    );
    assert.deepEqual(result, { power_state: 'poweredOff', outcome: 'off' });
    assert.deepEqual(progress, [{ step: 'asking' }]);
    await assert.rejects(
      f.hub.request(
        credential.agent_id,
        'discover',
        { vcenter: { host: 'vc', username: 'u', password: 'p' } },
        { timeoutMs: 5_000 },
      ),
      { code: 'MKE_NOT_IMPLEMENTED' },
    );

    // A cut connection comes back by itself (reconnect with backoff).
    link.cut();
    for (let i = 0; i < 200 && f.hub.isConnected(credential.agent_id); i++) await new Promise((r) => setTimeout(r, 10));
    await f.hub.waitForAgent(10_000, credential.agent_id);
    const again = await f.hub.request(
      credential.agent_id,
      'vm.power',
      { vcenter: { host: 'vc', username: 'u', password: 'p' }, vm_id: 'x', action: 'on' },
      { timeoutMs: 5_000 },
    );
    assert.equal(again.outcome, 'on');

    const other = await pairWithServer(f.gateway.url, (await f.pairing.issueToken('admin')).token, 'old');
    const states: string[] = [];
    const stale = new AgentLink({
      credential: other,
      logger: silent,
      handlers: {},
      version: '9.9.0',
      onState: (s) => states.push(s),
    });
    stale.start();
    for (let i = 0; i < 200 && !states.includes('refused'); i++) await new Promise((r) => setTimeout(r, 25));
    await stale.close();
    assert.ok(states.includes('refused'), states.join(','));
    assert.equal(f.hub.isConnected(other.agent_id), false);
  },
);

test(
  'an agent that goes silent fails its requests with MKE_AGENT_LOST within the timeout (ManualClock)',
  { timeout: 120_000 },
  async (t) => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const f = await fixture(t, clock);
    const credential = await pairWithServer(f.gateway.url, (await f.pairing.issueToken('admin')).token, 'mute');
    const link = new AgentLink({
      credential,
      logger: silent,
      // Never answers: the agent process hangs.
      handlers: { replicate: () => new Promise(() => undefined) },
    });
    link.start();
    t.after(() => link.close());
    for (let i = 0; i < 400 && !f.hub.isConnected(credential.agent_id); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(f.hub.isConnected(credential.agent_id));
    const pending = f.hub.request(credential.agent_id, 'replicate', {} as never, { timeoutMs: 3_600_000 });
    let outcome: unknown = undefined;
    pending.then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    await clock.advance(30_000);
    assert.equal(outcome, undefined, 'still waiting after 30 s of silence');
    for (let i = 0; i < 31 && outcome === undefined; i++) await clock.advance(1_000);
    assert.equal((outcome as { code?: string } | undefined)?.code, 'MKE_AGENT_LOST');
    assert.equal(f.hub.isConnected(credential.agent_id), false);
    assert.equal((await f.repositories.agents.get(credential.agent_id))?.status, 'offline');
  },
);

test(
  'NBD over the agent port: a job key opens the export through the HTTPS listener; a wrong key gets 401',
  { timeout: 120_000 },
  async (t) => {
    const psk = new Map<string, Buffer>();
    const target = new NbdTarget({ tls: { psk }, isAgent: (identity) => psk.has(identity) });
    t.after(() => target.close());
    const f = await fixture(t, systemClock, { nbdUpgrade: nbdUpgradeHandler({ psk, target, logger: silent }) });
    const disk = join(f.dir, 'volume.raw');
    writeFileSync(disk, Buffer.alloc(4 * 1024 * 1024));
    const exportName = await target.addVolumeExport('11111111-2222-3333-4444-555555555555', disk);
    const key = randomBytes(32);
    psk.set('job-one', key);
    const through = (identity: string, keyHex: string) =>
      NbdClient.connect({
        exportName,
        securedTransport: agentPortNbdTransport({
          serverUrl: f.gateway.url,
          fingerprint: f.certificate.fingerprint256,
          pskIdentity: identity,
          pskKeyHex: keyHex,
        }),
      });

    const client = await through('job-one', key.toString('hex'));
    assert.equal(client.tls, true);
    await client.write(8192, Buffer.alloc(65536, 0x5a));
    await client.flush();
    assert.deepEqual(await client.read(8192, 65536), Buffer.alloc(65536, 0x5a));
    assert.equal(target.listExports()[0]?.connections, 1);
    await client.close();
    assert.deepEqual(readFileSync(disk).subarray(8192, 8192 + 65536), Buffer.alloc(65536, 0x5a));
    assert.equal(target.port, 0, 'no NBD listener of its own');

    await assert.rejects(through('job-one', randomBytes(32).toString('hex')), /agent port refused NBD: .*401/);
    await assert.rejects(through('job-two', key.toString('hex')), /401/);
    // The job ended: its key is gone, and so is the way in.
    psk.delete('job-one');
    await assert.rejects(through('job-one', key.toString('hex')), /401/);
    // A wrong pin sends nothing, not even the key.
    await assert.rejects(
      NbdClient.connect({
        exportName,
        securedTransport: agentPortNbdTransport({
          serverUrl: f.gateway.url,
          fingerprint: 'ab'.repeat(32),
          pskIdentity: 'job-one',
          pskKeyHex: key.toString('hex'),
        }),
      }),
      /pinned fingerprint/,
    );
  },
);
