// The volume daemon wired to real peers in-process: the CloudStack simulator (HTTP, sparse-file volumes, by-id
// links) in a temp dir, a migrated SQLite database, and the NBD target on an ephemeral port with TLS-PSK.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { CloudStackClient } from '@migratekit/cloudstack';
import { newContextId, systemClock } from '@migratekit/core';
import { createRepositories, type Repositories } from '@migratekit/db';
import { engineCases, type TestDatabase, type TestEngineName } from '@migratekit/db/testing';
import { NbdClient } from '@migratekit/nbd';
import { startCloudStackSimulator, type CloudStackSimulatorHandle } from '@migratekit/sim-cloudstack';
import { NbdTarget } from '../../src/nbd-target';
import { VolumeService, type VolumeServiceDeps, type VolumeLogger } from '../../src/volumes';

export const API_KEY = 'daemon-test-key';
export const SECRET_KEY = 'daemon-test-secret';
export const AGENT_IDENTITY = 'agent-test';

export interface VolumeFixture {
  dir: string;
  byIdDir: string;
  sim: CloudStackSimulatorHandle;
  client: CloudStackClient;
  database: TestDatabase;
  repositories: Repositories;
  target: NbdTarget;
  daemon: VolumeService;
  pskKey: Buffer;
  logs: { level: string; fields: Record<string, unknown>; message: string }[];
  /** A new context row (volumes reference it). */
  newContext(name?: string): Promise<string>;
  /** A second daemon on the same database and simulator, as after a restart. */
  restartDaemon(overrides?: Partial<VolumeServiceDeps>): Promise<VolumeService>;
  /** Connects to a volume export as the agent. */
  connectExport(exportName: string): Promise<NbdClient>;
  close(): Promise<void>;
}

function captureLogger(logs: VolumeFixture['logs']): VolumeLogger {
  const push =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void =>
      void logs.push({ level, fields, message });
  return { info: push('info'), warn: push('warn'), error: push('error') };
}

export async function startVolumeFixture(
  options: { jobLatencyMs?: number; engine?: TestEngineName } = {},
): Promise<VolumeFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'mk-voldaemon-'));
  const byIdDir = join(dir, 'by-id');
  const sim = await startCloudStackSimulator({
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
    dataDir: join(dir, 'sim'),
    byIdDir,
    jobLatencyMs: options.jobLatencyMs ?? 2,
  });
  const client = new CloudStackClient({
    apiUrl: sim.hostPort,
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
    jobs: { initialIntervalMs: 2, stepMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
  });
  const engine = engineCases().find((c) => c.name === (options.engine ?? 'sqlite'));
  assert.ok(engine);
  const database = await engine.create();
  const repositories = createRepositories(database.db, systemClock);
  const pskKey = randomBytes(32);
  const makeTarget = async (): Promise<NbdTarget> => {
    const target = new NbdTarget({
      port: 0,
      host: '127.0.0.1',
      tls: { psk: new Map([[AGENT_IDENTITY, pskKey]]) },
      isAgent: (identity) => identity === AGENT_IDENTITY,
    });
    await target.start();
    return target;
  };
  const targets: NbdTarget[] = [await makeTarget()];
  const logs: VolumeFixture['logs'] = [];
  const baseDeps = (target: NbdTarget): VolumeServiceDeps => ({
    target: () => Promise.resolve({ cloudstack: client, serverVmId: sim.serverVmId }),
    repositories,
    clock: systemClock,
    logger: captureLogger(logs),
    nbdTarget: target,
    byIdDir,
    deviceWaitTimeoutMs: 5_000,
    devicePollIntervalMs: 5,
    readAttempts: 4,
  });
  const fixture: VolumeFixture = {
    dir,
    byIdDir,
    sim,
    client,
    database,
    repositories,
    target: targets[0] as NbdTarget,
    daemon: new VolumeService(baseDeps(targets[0] as NbdTarget)),
    pskKey,
    logs,
    newContext: async (name = 'vm-under-test') => {
      const contextId = newContextId(name, new Date());
      await repositories.contexts.create({
        context_id: contextId,
        vm_name: name,
        vmware_vm_id: `vm-uuid-${randomBytes(6).toString('hex')}`,
      });
      return contextId;
    },
    restartDaemon: async (overrides = {}) => {
      await fixture.target.close();
      const target = await makeTarget();
      targets.push(target);
      fixture.target = target;
      fixture.daemon = new VolumeService({ ...baseDeps(target), ...overrides });
      return fixture.daemon;
    },
    connectExport: (exportName) =>
      NbdClient.connect({
        host: '127.0.0.1',
        port: fixture.target.port,
        exportName,
        tls: { mode: 'require', psk: { identity: AGENT_IDENTITY, key: pskKey } },
      }),
    close: async () => {
      for (const target of targets) await target.close();
      await sim.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Non-ROOT volumes the simulator holds. */
export function dataVolumes(fixture: VolumeFixture): ReturnType<CloudStackSimulatorHandle['inventory']>['volumes'] {
  return fixture.sim.inventory().volumes.filter((v) => v.type !== 'ROOT');
}

/** Deploys a stopped VM (a failover target) in the simulator's zone. */
export async function deployStoppedVm(fixture: VolumeFixture, name: string): Promise<string> {
  const [zone] = await fixture.client.listZones();
  const [offering] = await fixture.client.listServiceOfferings();
  const [template] = await fixture.client.listTemplates({ templatefilter: 'executable' });
  const network = (await fixture.client.listNetworks()).find((n) => n.type === 'L2');
  assert.ok(zone && offering && template && network);
  const vm = await fixture.client.deployVirtualMachine({
    zoneid: zone.id,
    serviceofferingid: offering.id,
    templateid: template.id,
    name,
    networkids: [network.id],
    startvm: false,
  });
  return vm.id;
}
