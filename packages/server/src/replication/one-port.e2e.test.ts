// The firewall test of docs/agent.md#one-port-from-agent-to-server: the agent can reach nothing of the server but
// the agent port (it is given only a relay in front of that port, and the NBD target has no listener of its own),
// and a replication still runs end to end, its disk bytes passing through that one port.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runAgent, SimulatorDiskAccess } from '@migratekit/agent';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { startDevStack } from '../dev/dev-stack';
import { createLogger } from '../logging/logger';

const MiB = 1024 * 1024;

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Lab',
      hosts: [{ name: 'esx01.lab.local' }],
      datastores: [{ name: 'DS-SSD-01', capacityGiB: 100 }],
      networks: [{ name: 'VLAN 100 - Prod', vlan: 100 }],
      vms: [
        {
          name: 'fw-01',
          host: 'esx01.lab.local',
          guest: 'linux',
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn',
          cbtEnabled: true,
          disks: [{ capacityBytes: 32 * MiB, datastore: 'DS-SSD-01', seedBytes: 6 * MiB }],
          nics: [{ network: 'VLAN 100 - Prod' }],
        },
      ],
    },
  ],
};

/** A TCP relay to `port`: the only way to the server this test gives the agent; counts the bytes it carries. */
async function relayTo(port: number): Promise<{ server: Server; port: number; bytesUp(): number }> {
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
  return { server, port: (server.address() as AddressInfo).port, bytesUp: () => up };
}

test('firewall: with only the agent port reachable, replication works end to end', { timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mk-oneport-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const logger = createLogger({ level: 'silent' });
  const stack = await startDevStack({
    env: { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' },
    logger,
    out: () => undefined,
    inventory,
    guestWrites: false,
    agent: 'in-process',
  });
  t.after(() => stack.close());
  const estate = stack.estate;
  assert.ok(estate?.agent);
  // No NBD port at all: the default configuration.
  assert.equal(stack.server.nbdPort, undefined);
  assert.equal(stack.server.composition.adapters.nbdTarget.port, 0);

  // The dev agent goes; the agent under test knows the server only through the relay.
  await estate.agent.close();
  const relay = await relayTo(stack.server.gateway.port);
  t.after(() => new Promise<void>((resolve) => relay.server.close(() => resolve())));
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
  const before = relay.bytesUp();

  const token = readFileSync(stack.cliTokenPath, 'utf8').trim();
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(response.status < 300, `${method} ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  const vm = estate.vcenter.listVms().find((v) => v.name === 'fw-01');
  assert.ok(vm);
  // Discovery too goes through the fenced agent.
  const discovered = await call<{ vms: Array<{ id: string; name: string }> }>('POST', '/api/v1/discover', {
    credential_id: estate.credentialId,
  });
  const vmId = discovered.vms.find((v) => v.name === 'fw-01')?.id;
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
  const disk = vm.disks[0];
  assert.ok(disk);
  const file = estate.cloudstack.inventory().volumes.find((v) => v.id === context.volumes[0]?.volume_id)?.file;
  assert.ok(file);
  const hash = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
  assert.equal(
    hash(readFileSync(file).subarray(0, disk.capacity)),
    hash(await estate.vcenter.readDisk('fw-01', disk.key, 0, disk.capacity)),
  );
  // The disk's data went through the agent port: megabytes, where the control channel alone carries kilobytes
  // (zero blocks of the seeded data travel as WRITE_ZEROES, so fewer than the 6 MiB seeded).
  const passed = relay.bytesUp() - before;
  assert.ok(passed >= 4 * MiB, `only ${passed} bytes passed the agent port`);
});
