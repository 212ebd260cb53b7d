// The client against the project's own vCenter simulator (packages/sim-vcenter), which adds what vcsim lacks:
// real CBT, guest shutdown timing and dropped sessions on demand. This is the one home of the client-versus-
// simulator assertions: discovery JSON, a full CBT cycle, power, login errors and re-login.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startVCenterSimulator, type InventorySpec, type VCenterSimulator } from '@migratekit/sim-vcenter';
import {
  FileFaultError,
  InvalidLoginError,
  ManagedObjectNotFoundError,
  isChangeIdRejected,
  testConnection,
  VsphereClient,
} from '@migratekit/vsphere';

const MiB = 1024 * 1024;

/** Small and fast to create, still with both kinds of port group and a multi-disk, multi-NIC VM. */
const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Test',
      clusters: [{ name: 'Cluster-A', hosts: [{ name: 'esx-a1.test' }, { name: 'esx-a2.test' }] }],
      datastores: [{ name: 'DS-01', capacityGiB: 100 }],
      networks: [{ name: 'VLAN 253 - DMZ', vlan: 253 }],
      distributedSwitches: [{ name: 'DSwitch-T', portgroups: [{ name: 'Prod-Web-100', vlan: 100 }] }],
      vms: [
        {
          name: 'lin-01',
          host: 'esx-a1.test',
          folder: 'Prod',
          guest: 'linux',
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          firmware: 'bios',
          disks: [
            { capacityBytes: 8 * MiB, datastore: 'DS-01', seedBytes: 2 * MiB },
            { capacityBytes: 4 * MiB, datastore: 'DS-01', controller: 1, seedBytes: MiB },
          ],
          nics: [
            { network: 'Prod-Web-100', adapter: 'vmxnet3' },
            { network: 'VLAN 253 - DMZ', adapter: 'e1000e' },
          ],
        },
        {
          name: 'win-01',
          host: 'esx-a2.test',
          guest: 'windows',
          guestId: 'windows2019srv_64Guest',
          guestFullName: 'Microsoft Windows Server 2019 (64-bit)',
          firmware: 'efi',
          powerState: 'poweredOff',
          disks: [{ capacityBytes: 4 * MiB, datastore: 'DS-01' }],
          nics: [{ network: 'VLAN 253 - DMZ', adapter: 'e1000e' }],
        },
      ],
    },
  ],
};

let dir: string;
let sim: VCenterSimulator;
let client: VsphereClient;

function linRef(): { type: string; value: string } {
  const vm = sim.engine.findVm('lin-01');
  assert.ok(vm);
  return { type: 'VirtualMachine', value: vm.ref.value };
}

describe('VsphereClient against the vCenter simulator', { timeout: 60_000 }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-vsphere-sim-'));
    // Two changed areas per answer, so the client's paging is exercised on a small disk.
    sim = await startVCenterSimulator({
      dataDir: dir,
      inventory,
      guestWrites: false,
      maxChangedAreas: 2,
      guestShutdownDelayMs: 20,
    });
    client = await VsphereClient.connect({
      host: sim.url,
      username: sim.username,
      password: sim.password,
      thumbprint: sim.thumbprints.sha256,
    });
  });

  after(async () => {
    await client.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('discovery returns the VM JSON with real names from standard and distributed port groups', async () => {
    const [vms, found] = await Promise.all([client.discoverVms(), client.inventory()]);
    assert.deepEqual(vms.map((v) => v.name).sort(), ['lin-01', 'win-01']);
    const lin = vms.find((v) => v.name === 'lin-01');
    assert.ok(lin);
    assert.match(lin.id, /^[0-9a-f-]{36}$/);
    assert.equal(lin.power_state, 'poweredOn');
    assert.equal(lin.firmware, 'bios');
    assert.equal(lin.guest_id, 'ubuntu64Guest');
    assert.deepEqual(
      lin.disks.map((d) => [d.id, d.capacity_bytes, d.datastore, d.vmdk_path]),
      [
        ['disk-2000', 8 * MiB, 'DS-01', '[DS-01] lin-01/lin-01.vmdk'],
        ['disk-2001', 4 * MiB, 'DS-01', '[DS-01] lin-01/lin-01_1.vmdk'],
      ],
    );
    assert.deepEqual(
      lin.networks.map((n) => [n.label, n.network_name, n.adapter_type]),
      [
        ['Network adapter 1', 'Prod-Web-100', 'vmxnet3'],
        ['Network adapter 2', 'VLAN 253 - DMZ', 'e1000e'],
      ],
    );
    const win = vms.find((v) => v.name === 'win-01');
    assert.equal(win?.firmware, 'efi');
    assert.equal(win?.power_state, 'poweredOff');

    const names = new Set(found.networks.map((n) => n.name));
    assert.ok(found.networks.some((n) => n.kind === 'distributed'));
    for (const nic of vms.flatMap((v) => v.networks)) assert.ok(names.has(nic.network_name), nic.network_name);

    const connection = await testConnection({
      host: sim.url,
      username: sim.username,
      password: sim.password,
      thumbprint: sim.thumbprints.sha1,
    });
    assert.deepEqual(connection.datacenters, ['DC-Test']);
  });

  test('a CBT cycle: "*" is the allocated data, the delta is exactly the guest writes, bad ids are rejected', async () => {
    const vm = linRef();
    await client.setChangeTracking(vm, true);
    const first = await client.createSnapshot(vm, { name: 'run-1' });
    const full = await client.queryChangedDiskAreas({
      vm,
      snapshot: first,
      deviceKey: 2000,
      changeId: '*',
      capacityBytes: 8 * MiB,
    });
    assert.equal(full.totalBytes, 2 * MiB);
    const previousChangeId = (await client.getSnapshotDisks(first)).find((d) => d.key === 2000)?.changeId;
    assert.ok(previousChangeId, 'the snapshot disk carries a change id');
    await client.removeSnapshot(first);

    await sim.writeGuest('lin-01', 2000, 3 * MiB, randomBytes(8192));
    await sim.writeGuest('lin-01', 2000, 3 * MiB + 8192, randomBytes(4096)); // touching: merged with the one above
    await sim.writeGuest('lin-01', 2000, 7 * MiB, randomBytes(512));
    await sim.writeGuest('lin-01', 2000, 100, randomBytes(100)); // inside sector 0: reported as that sector
    const second = await client.createSnapshot(vm, { name: 'run-2' });
    const delta = await client.queryChangedDiskAreas({
      vm,
      snapshot: second,
      deviceKey: 2000,
      changeId: previousChangeId,
      capacityBytes: 8 * MiB,
    });
    assert.deepEqual(delta.areas, [
      { start: 0, length: 512 },
      { start: 3 * MiB, length: 12288 },
      { start: 7 * MiB, length: 512 },
    ]);
    assert.equal(delta.totalBytes, 512 + 12288 + 512);
    assert.ok(delta.calls >= 2, 'paged');

    const query = (changeId: string) =>
      client.queryChangedDiskAreas({ vm, snapshot: second, deviceKey: 2000, changeId, capacityBytes: 8 * MiB });
    // A well-formed id the disk never had (stale) and a malformed one: both are vCenter's FileFault.
    await assert.rejects(query('52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/4'), FileFaultError);
    await assert.rejects(query('not-a-change-id'), (error: unknown) => isChangeIdRejected(error));

    await client.removeSnapshot(second);
    await assert.rejects(client.removeSnapshot(second), ManagedObjectNotFoundError);
  });

  test('shutdown through the guest, then power on', async () => {
    const vm = linRef();
    assert.equal(await client.shutdown(vm, { timeoutMs: 5000, pollMs: 10 }), 'guest-shutdown');
    assert.equal(sim.engine.findVm('lin-01')?.powerState, 'poweredOff');
    await client.powerOn(vm);
    assert.equal(sim.engine.findVm('lin-01')?.powerState, 'poweredOn');
  });

  test('a wrong password is an InvalidLoginError', async () => {
    await assert.rejects(
      VsphereClient.connect({
        host: sim.url,
        username: sim.username,
        password: 'wrong',
        thumbprint: sim.thumbprints.sha1,
      }),
      InvalidLoginError,
    );
  });

  test('the client logs in again after the simulator drops its session', async () => {
    sim.expireSessions();
    const vms = await client.discoverVms();
    assert.equal(vms.length, 2);
  });
});

describe('VsphereClient against the simulator demo estate', { timeout: 60_000 }, () => {
  let demoDir: string;
  let demo: VCenterSimulator;
  let demoClient: VsphereClient;

  before(async () => {
    demoDir = mkdtempSync(join(tmpdir(), 'mk-vsphere-demo-'));
    demo = await startVCenterSimulator({ dataDir: demoDir, guestWrites: false });
    demoClient = await VsphereClient.connect({
      host: demo.url,
      username: demo.username,
      password: demo.password,
      thumbprint: demo.thumbprints.sha256,
    });
  });

  after(async () => {
    await demoClient.close();
    await demo.close();
    rmSync(demoDir, { recursive: true, force: true });
  });

  test('every NIC of every VM resolves to a real network name', async () => {
    const [found, results] = await Promise.all([demoClient.inventory(), demoClient.discoverVmDetails()]);
    assert.equal(results.length, demo.listVms().length);
    const names = new Set(found.networks.map((n) => n.name));
    assert.ok(found.networks.some((n) => n.kind === 'distributed'));
    for (const { vm } of results) {
      assert.ok(vm.disks.length > 0, vm.name);
      for (const nic of vm.networks) {
        assert.ok(names.has(nic.network_name), `${vm.name}: ${nic.network_name}`);
        assert.ok(!nic.network_name.endsWith('-network'));
      }
    }
  });
});
