// Test harness for failover: the dev stack in-process (server on SQLite, vCenter and CloudStack simulators, a
// paired agent), VMs discovered, replicated and mapped to networks through the API, and the checks the failover
// tests share: disk bytes, CloudStack inventory left behind.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InventorySpec, VmSpec } from '@migratekit/sim-vcenter';
import { startDevStack, type DevStack } from '../../src/dev/dev-stack';
import type { DevEstate } from '../../src/dev/dev-estate';
import type { FailoverDeps } from '../../src/failover';
import { createLogger } from '../../src/logging/logger';

const MiB = 1024 * 1024;
export const PROD_NETWORKS = ['a0000100-1111-4222-8333-944455556666', 'a0000253-1111-4222-8333-944455556666'];
export const TEST_NETWORKS = ['a0000900-1111-4222-8333-944455556666', 'a0000930-1111-4222-8333-944455556666'];
export const SOURCE_NETWORKS = ['VLAN 100 - Prod', 'VLAN 253 - DMZ'];

/** A 2-disk, 2-NIC VM with fixed MACs (`index` keeps MACs unique across VMs). */
export function twoDiskVm(name: string, index: number): VmSpec {
  return {
    name,
    host: 'esx01.lab.local',
    guest: 'linux',
    guestId: 'ubuntu64Guest',
    guestFullName: 'Ubuntu Linux (64-bit)',
    powerState: 'poweredOn',
    cbtEnabled: true,
    cpus: 2,
    memoryMB: 2048,
    disks: [
      { capacityBytes: 16 * MiB, datastore: 'DS-SSD-01', seedBytes: 2 * MiB },
      { capacityBytes: 8 * MiB, datastore: 'DS-SSD-01', seedBytes: 1 * MiB },
    ],
    nics: SOURCE_NETWORKS.map((network, n) => ({
      network,
      mac: `00:50:56:0a:${index.toString(16).padStart(2, '0')}:0${n + 1}`,
    })),
  };
}

export function inventoryOf(vms: VmSpec[]): InventorySpec {
  return {
    datacenters: [
      {
        name: 'DC-Lab',
        hosts: [{ name: 'esx01.lab.local' }],
        datastores: [{ name: 'DS-SSD-01', capacityGiB: 100 }],
        networks: [
          { name: SOURCE_NETWORKS[0] as string, vlan: 100 },
          { name: SOURCE_NETWORKS[1] as string, vlan: 253 },
        ],
        vms,
      },
    ],
  };
}

export interface Api {
  call: <T>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;
  /** The same, asserting a 2xx answer; returns its body. */
  ok: <T>(method: string, path: string, body?: unknown) => Promise<T>;
}

/** The dev stack's API as its local admin (the CLI token `npm start` writes). */
export function apiFor(stack: DevStack): Api {
  const token = readFileSync(stack.cliTokenPath, 'utf8').trim();
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  return {
    call,
    ok: async <T>(method: string, path: string, body?: unknown) => {
      const answer = await call<T>(method, path, body);
      assert.ok(answer.status < 300, `${method} ${path}: ${answer.status}`);
      return answer.body;
    },
  };
}

export interface FailoverStack {
  stack: DevStack;
  estate: DevEstate;
  api: Api;
  /** VM name -> context id, every VM replicated and mapped. */
  contexts: Map<string, string>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForReplication(api: Api, jobId: string): Promise<{ status: string }> {
  for (let i = 0; i < 2400; i++) {
    const { body } = await api.call<{ status: string }>('GET', `/api/v1/replications/${jobId}`);
    if (!['pending', 'replicating'].includes(body.status)) return body;
    await sleep(25);
  }
  throw new Error(`replication ${jobId} did not finish`);
}

/** The dev stack with `vms` discovered, replicated once and mapped (production and test) per NIC; `env` adds settings. */
export async function startFailoverStack(vms: VmSpec[], env: NodeJS.ProcessEnv = {}): Promise<FailoverStack> {
  // In memory when the machine has a tmpfs: the simulator writes its whole state (write + rename) on every change
  // and SQLite syncs every commit, which on a disk costs more than the failovers under test.
  const dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'mk-failover-'));
  const stack = await startDevStack({
    // No guest conversion unless a test asks: the conversion step has its own tests (packages/server/test/conversion/).
    env: { MIGRATEKIT_CONVERTER: 'off', ...env, MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' },
    logger: createLogger({ level: 'silent' }),
    out: () => undefined,
    inventory: inventoryOf(vms),
    guestWrites: false,
    // The agent's own process proves nothing here (the dev stack and replication tests cover it) and costs seconds.
    agent: 'in-process',
    // A guest that shuts down in a moment: a live failover's power-off then takes a poll or two, not seconds.
    guestShutdownDelayMs: 300,
  });
  const estate = stack.estate;
  assert.ok(estate);
  const api = apiFor(stack);
  const discovered = await api.call<{ vms: Array<{ id: string; name: string }> }>('POST', '/api/v1/discover', {
    credential_id: estate.credentialId,
  });
  assert.equal(discovered.status, 200, JSON.stringify(discovered.body));
  const ids = vms.map((vm) => discovered.body.vms.find((d) => d.name === vm.name)?.id as string);
  const added = await api.call<{ results: Array<{ vm_id: string; ok: boolean; context_id: string; job_id: string }> }>(
    'POST',
    '/api/v1/replications',
    { vm_ids: ids, credential_id: estate.credentialId },
  );
  assert.equal(added.status, 200, JSON.stringify(added.body));
  const contexts = new Map<string, string>();
  for (const result of added.body.results) {
    const job = await waitForReplication(api, result.job_id);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    const name = vms[ids.indexOf(result.vm_id)]?.name as string;
    contexts.set(name, result.context_id);
    for (const [n, source] of SOURCE_NETWORKS.entries()) {
      const mapped = await api.call(
        'PUT',
        `/api/v1/network-mappings/context/${result.context_id}/${encodeURIComponent(source)}`,
        {
          production_network_id: PROD_NETWORKS[n],
          test_network_id: TEST_NETWORKS[n],
        },
      );
      assert.ok(mapped.status < 300, JSON.stringify(mapped.body));
    }
  }
  return {
    stack,
    estate,
    api,
    contexts,
    close: async () => {
      await stack.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The deps the composition root gives the failover workflows, for tests that build their own runners. */
export function failoverDepsOf(stack: DevStack): FailoverDeps {
  const { services, composition } = stack.server;
  const { adapters } = composition;
  return {
    repositories: adapters.repositories,
    clock: adapters.clock,
    logger: adapters.logger,
    cloudStack: services.cloudStack,
    volumes: services.volumes,
    hub: adapters.hub,
    agents: services.agentRouter,
    credentials: services.vmwareCredentials,
    replication: services.replication,
    networkConfig: services.networkMapping.networkConfig,
    converter: adapters.converter,
    guestConversion: services.guestConversion,
    audit: services.audit,
  };
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** sha256 of each volume file's first `capacity` bytes, by the VM's disk order. */
export function volumeHashes(estate: DevEstate, volumeIds: readonly string[], capacities: readonly number[]): string[] {
  const volumes = estate.cloudstack.inventory().volumes;
  return volumeIds.map((id, i) => {
    const file = volumes.find((v) => v.id === id)?.file;
    assert.ok(file, `volume ${id} has a file`);
    // Only the source disk's length: the volume file is as large as the CloudStack volume (sparse, GiB rounded).
    const bytes = Buffer.alloc(capacities[i] ?? 0);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, bytes, 0, bytes.length, 0);
    } finally {
      closeSync(fd);
    }
    return sha256(bytes);
  });
}

export async function sourceHashes(
  estate: DevEstate,
  vmName: string,
): Promise<{ hashes: string[]; capacities: number[] }> {
  const vm = estate.vcenter.listVms().find((v) => v.name === vmName);
  assert.ok(vm);
  const hashes: string[] = [];
  for (const disk of vm.disks) hashes.push(sha256(await estate.vcenter.readDisk(vmName, disk.key, 0, disk.capacity)));
  return { hashes, capacities: vm.disks.map((d) => d.capacity) };
}

export function powerStateOf(estate: DevEstate, vmName: string): string | undefined {
  return estate.vcenter.listVms().find((v) => v.name === vmName)?.powerState;
}
