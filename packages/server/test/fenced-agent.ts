// A dev stack whose agent knows the server only through a relay in front of the agent port (the firewall of
// docs/agent.md#one-port-from-agent-to-server), with the bytes the relay carried counted, and a one-VM replication
// checked byte for byte.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgent, SimulatorDiskAccess } from '@migratekit/agent';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { startDevStack, type DevStack } from '../src/dev/dev-stack';
import { createLogger } from '../src/logging/logger';
import { apiFor } from './failover/failover-fixture';

const MiB = 1024 * 1024;
export const FENCED_VM = 'fw-01';
/** Bytes of data the VM's disk holds (some of them zero blocks, which travel as WRITE_ZEROES). */
export const FENCED_SEED_BYTES = 6 * MiB;

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Lab',
      hosts: [{ name: 'esx01.lab.local' }],
      datastores: [{ name: 'DS-SSD-01', capacityGiB: 100 }],
      networks: [{ name: 'VLAN 100 - Prod', vlan: 100 }],
      vms: [
        {
          name: FENCED_VM,
          host: 'esx01.lab.local',
          guest: 'linux',
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn',
          cbtEnabled: true,
          disks: [{ capacityBytes: 32 * MiB, datastore: 'DS-SSD-01', seedBytes: FENCED_SEED_BYTES }],
          nics: [{ network: 'VLAN 100 - Prod' }],
        },
      ],
    },
  ],
};

interface After {
  after(fn: () => unknown): void;
}

/** A TCP relay to `port` on loopback that counts the bytes the client side sends. */
async function relayTo(t: After, port: number): Promise<{ port: number; bytesUp(): number }> {
  let up = 0;
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port });
    client.on('data', (chunk: Buffer) => (up += chunk.length));
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, bytesUp: () => up };
}

export interface FencedStack {
  stack: DevStack;
  /** Bytes the agent sent through the agent port so far. */
  bytesThroughAgentPort(): number;
  /** Discovers and replicates FENCED_VM through the fenced agent; asserts its volume equals the source disk. */
  replicate(): Promise<void>;
}

export async function startFencedStack(t: After, env: Record<string, string> = {}): Promise<FencedStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mk-oneport-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const logger = createLogger({ level: 'silent' });
  const stack = await startDevStack({
    env: { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...env },
    logger,
    out: () => undefined,
    inventory,
    guestWrites: false,
    agent: 'in-process',
  });
  t.after(() => stack.close());
  const estate = stack.estate;
  assert.ok(estate?.agent);
  // The dev agent goes; the agent under test knows the server only through the relay.
  await estate.agent.close();
  const relay = await relayTo(t, stack.server.gateway.port);
  const issued = await stack.server.services.agentPairing.issueToken('firewall test', 60_000);
  const agent = await runAgent({
    serverUrl: `https://127.0.0.1:${relay.port}`,
    pairingToken: issued.token,
    stateDir: join(dataDir, 'fenced-agent'),
    name: 'fenced-agent',
    diskAccess: new SimulatorDiskAccess({ host: estate.vcenter.host, port: estate.vcenter.nbd?.port ?? 0 }),
    vcenterThumbprints: { [`${estate.vcenter.host}:${estate.vcenter.port}`]: estate.vcenter.thumbprints.sha256 },
    logger,
    backoff: { initialMs: 100, maxMs: 1_000 },
  });
  t.after(() => agent.close());
  await stack.server.composition.adapters.hub.waitForAgent(30_000, agent.credential.agent_id);

  const call = apiFor(stack).ok;
  const replicate = async (): Promise<void> => {
    // Discovery too goes through the fenced agent.
    const discovered = await call<{ vms: Array<{ id: string; name: string }> }>('POST', '/api/v1/discover', {
      credential_id: estate.credentialId,
    });
    const vmId = discovered.vms.find((v) => v.name === FENCED_VM)?.id;
    assert.ok(vmId);
    const started = await call<{ job_id: string; context_id: string }>('POST', '/api/v1/replications', {
      vm_id: vmId,
      credential_id: estate.credentialId,
    });
    let job = { status: 'pending', error_message: null as string | null };
    for (let i = 0; i < 1200 && ['pending', 'replicating'].includes(job.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = await call('GET', `/api/v1/replications/${started.job_id}`);
    }
    assert.equal(job.status, 'completed', JSON.stringify(job));
    const context = await call<{ volumes: Array<{ volume_id: string }> }>(
      'GET',
      `/api/v1/vm-contexts/${started.context_id}`,
    );
    const disk = estate.vcenter.listVms().find((v) => v.name === FENCED_VM)?.disks[0];
    assert.ok(disk);
    const file = estate.cloudstack.inventory().volumes.find((v) => v.id === context.volumes[0]?.volume_id)?.file;
    assert.ok(file);
    const hash = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
    assert.equal(
      hash(readFileSync(file).subarray(0, disk.capacity)),
      hash(await estate.vcenter.readDisk(FENCED_VM, disk.key, 0, disk.capacity)),
    );
  };
  return { stack, bytesThroughAgentPort: () => relay.bytesUp(), replicate };
}
