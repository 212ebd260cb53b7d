// `migratekit network ...` against the dev stack (vCenter and CloudStack simulators): a 3-NIC VM added without
// replication, list-available, map by network names, status per VM and for all, bulk --dry-run then apply,
// and a refused mapping for a network the VM does not have; every command with --json.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { BIN, cliOnDevStack, run } from './cli-dev-stack';

const MiB = 1024 * 1024;
const NETWORKS = ['VLAN 10 - Servers', 'VLAN 20 - App', 'VLAN 30 - Backup'];

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Net',
      hosts: [{ name: 'esx01.net.local' }],
      datastores: [{ name: 'DS-01', capacityGiB: 10 }],
      networks: NETWORKS.map((name) => ({ name })),
      vms: [
        {
          name: 'triple',
          host: 'esx01.net.local',
          guest: 'linux' as const,
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn' as const,
          disks: [{ capacityBytes: 16 * MiB, datastore: 'DS-01', seedBytes: MiB }],
          nics: NETWORKS.map((network) => ({ network })),
        },
      ],
    },
  ],
};

test('network commands on the dev stack with --json', { timeout: 300_000 }, async (t) => {
  const { env, cli } = await cliOnDevStack(t, inventory, 'mk-cli-net-');

  await cli('vm', 'add', 'triple', '--no-start');
  const testNets = await cli<{ name: string; suitable_for: string[] }[]>(
    'network',
    'list-available',
    '--suitable-for',
    'test',
  );
  assert.ok(testNets.some((n) => n.name === 'Lab-L2-Test'));
  assert.ok(testNets.every((n) => n.suitable_for.includes('test')));

  const mapped = await cli<{ kind: string; destination_network_name: string }[]>(
    'network',
    'map',
    'triple',
    '--source',
    'VLAN 10 - Servers',
    '--production',
    'Prod-Web-VLAN100',
    '--test',
    'Lab-L2-Test',
  );
  assert.deepEqual(
    mapped.map((m) => [m.kind, m.destination_network_name]),
    [
      ['production', 'Prod-Web-VLAN100'],
      ['test', 'Lab-L2-Test'],
    ],
  );
  const status = await cli<{ status: string; summary: string; missing: { source_network_name: string }[] }>(
    'network',
    'status',
    'triple',
  );
  assert.equal(status.status, 'needs_setup');
  assert.equal(status.summary, '2 of 6 configured');
  assert.equal(status.missing.length, 4);

  const bulkArgs = [
    'network',
    'bulk',
    '--source',
    'VLAN 20 - App',
    '--production',
    'Prod-App-VLAN150',
    '--test',
    'DR-Test-Isolated',
    '--all',
  ];
  const preview = await cli<{ creates: number; changes: { vm_name: string; action: string }[] }>(
    ...bulkArgs,
    '--dry-run',
  );
  assert.equal(preview.creates, 2);
  assert.equal((await cli<{ summary: string }>('network', 'status', 'triple')).summary, '2 of 6 configured');
  const applied = await cli<{ written: number }>(...bulkArgs);
  assert.equal(applied.written, 2);
  const all = await cli<{ vm_name: string; summary: string }[]>('network', 'status');
  assert.deepEqual(
    all.map((s) => [s.vm_name, s.summary]),
    [['triple', '4 of 6 configured']],
  );

  await assert.rejects(
    run(
      process.execPath,
      [BIN, 'network', 'map', 'triple', '--source', 'triple-network', '--production', 'Prod-Web-VLAN100'],
      { env },
    ),
    (error: { code?: number; stderr?: string }) =>
      error.code === 1 && /no NIC on network "triple-network"/.test(error.stderr ?? ''),
  );
});
