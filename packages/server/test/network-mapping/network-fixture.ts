// The network mapping area wired to real peers: the app on a migrated SQLite database, the CloudStack simulator
// (HTTP) configured as the active CloudStack, and managed VMs whose NICs are recorded as Add to Management does.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newContextId } from '@migratekit/core';
import type { Repositories, VmNic } from '@migratekit/db';
import {
  DEFAULT_SEED,
  DEFAULT_ZONE_ID,
  startCloudStackSimulator,
  type CloudStackSimulatorHandle,
  type SimSeed,
} from '@migratekit/sim-cloudstack';
import { createTestApp, type TestApp } from '../test-app';

const API_KEY = 'netmap-api-key';
const SECRET_KEY = 'netmap-secret-key';
const STATE_FILE = 'cloudstack-sim-state.json';

/** Networks of the default seed used by the tests. */
export const NET = {
  prodWeb: 'a0000100-1111-4222-8333-944455556666',
  prodApp: 'a0000150-1111-4222-8333-944455556666',
  prodDb: 'a0000200-1111-4222-8333-944455556666',
  mgmt: 'a0000010-1111-4222-8333-944455556666',
  testIsolated: 'a0000900-1111-4222-8333-944455556666',
  testL2: 'a0000901-1111-4222-8333-944455556666',
  testBubble: 'a0000902-1111-4222-8333-944455556666',
  /** Added here: same name as testL2, in another zone. */
  otherZoneL2: 'b0000901-1111-4222-8333-944455556666',
  /** Added here: same name as testBubble, in another zone. */
  otherZoneBubble: 'b0000902-1111-4222-8333-944455556666',
  /** Added here: canusefordeploy false. */
  notDeployable: 'b0000999-1111-4222-8333-944455556666',
} as const;

const OTHER_ZONE = 'f0000000-0000-4000-8000-0000000000d2';

function networkCopy(id: string, fromId: string, extra: Record<string, unknown>): Record<string, unknown> {
  const base = DEFAULT_SEED.networks.find((n) => n.id === fromId);
  assert.ok(base);
  return { ...structuredClone(base), id, ...extra };
}

export const NETWORK_SEED: SimSeed = {
  ...DEFAULT_SEED,
  networks: [
    ...DEFAULT_SEED.networks,
    networkCopy(NET.otherZoneL2, NET.testL2, { zoneid: OTHER_ZONE, zonename: 'Zone-DC2' }),
    networkCopy(NET.otherZoneBubble, NET.testBubble, { zoneid: OTHER_ZONE, zonename: 'Zone-DC2' }),
    networkCopy(NET.notDeployable, NET.testIsolated, { name: 'Legacy-Isolated-Retired', canusefordeploy: false }),
  ],
};

/** A three-NIC VM as discovery records it: real vSphere network names, MACs, adapter types. */
export const THREE_NICS: VmNic[] = [
  {
    label: 'Network adapter 1',
    network_name: 'VLAN 100 - Web',
    mac_address: '00:50:56:aa:00:01',
    adapter_type: 'vmxnet3',
    connected: true,
  },
  {
    label: 'Network adapter 2',
    network_name: 'VLAN 150 - App',
    mac_address: '00:50:56:aa:00:02',
    adapter_type: 'vmxnet3',
    connected: true,
  },
  {
    label: 'Network adapter 3',
    network_name: 'VLAN 200 - DB',
    mac_address: '00:50:56:aa:00:03',
    adapter_type: 'e1000e',
    connected: true,
  },
];

export interface NetworkFixture {
  t: TestApp;
  sim: CloudStackSimulatorHandle;
  /** A managed VM with these NICs (recorded on a disk row, as Add to Management does). */
  addVm(name: string, nics: VmNic[]): Promise<string>;
  /** Removes a network from CloudStack (the simulator restarts on the same port with it gone). */
  deleteNetwork(id: string): Promise<void>;
  close(): Promise<void>;
}

export async function addManagedVm(repositories: Repositories, name: string, nics: VmNic[], at: Date): Promise<string> {
  const contextId = newContextId(name, at);
  await repositories.contexts.create({ context_id: contextId, vm_name: name, vmware_vm_id: `uuid-${contextId}` });
  await repositories.vmDisks.create({
    vm_context_id: contextId,
    job_id: null,
    disk_id: 'disk-2000',
    label: 'Hard disk 1',
    capacity_bytes: 1024 ** 3,
    sync_status: 'discovered',
    nics,
  });
  return contextId;
}

export async function startNetworkFixture(): Promise<NetworkFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'mk-netmap-'));
  const simOptions = {
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
    dataDir: join(dir, 'sim'),
    byIdDir: join(dir, 'by-id'),
    seed: NETWORK_SEED,
  };
  let sim = await startCloudStackSimulator(simOptions);
  const t = await createTestApp();
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/ossea/config',
    headers: t.admin,
    payload: {
      name: 'sim',
      api_url: sim.hostPort,
      api_key: API_KEY,
      secret_key: SECRET_KEY,
      zone_id: DEFAULT_ZONE_ID,
      default_network_id: NET.mgmt,
      is_active: true,
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  let vms = 0;
  const fixture: NetworkFixture = {
    t,
    get sim() {
      return sim;
    },
    addVm: async (name, nics) => {
      vms += 1;
      return addManagedVm(t.repositories, name, nics, new Date(Date.UTC(2026, 2, 1, 10, 0, vms)));
    },
    deleteNetwork: async (id) => {
      const port = sim.port;
      await sim.close();
      const file = join(simOptions.dataDir, STATE_FILE);
      const state = JSON.parse(await readFile(file, 'utf8')) as { networks: { id: string }[] };
      state.networks = state.networks.filter((n) => n.id !== id);
      await writeFile(file, JSON.stringify(state));
      sim = await startCloudStackSimulator({ ...simOptions, port });
    },
    close: async () => {
      await t.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
