import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FileFaultError, InvalidLoginError, ManagedObjectNotFoundError, VsphereClient } from '@migratekit/vsphere';
import type { VCenterSimulator } from '../src/index';
import { MiB, startTestSimulator } from './fixtures';

// The project's own vim25 client (@migratekit/vsphere) against the simulator: the replication path the
// agent runs (discovery, CBT on, snapshot, changed areas, snapshot removal, shutdown).

let sim: VCenterSimulator;
let cleanup: () => Promise<void>;
let client: VsphereClient;

before(async () => {
  ({ sim, cleanup } = await startTestSimulator({ maxChangedAreas: 2 }));
  client = await VsphereClient.connect({
    host: sim.url,
    username: sim.username,
    password: sim.password,
    thumbprint: sim.thumbprints.sha256,
  });
});

after(async () => {
  await client.close();
  await cleanup();
});

test('discovery returns the SPEC 5.1 VM JSON with real network names', { timeout: 120_000 }, async () => {
  const vms = await client.discoverVms();
  assert.deepEqual(vms.map((v) => v.name).sort(), ['lin-01', 'win-01']);
  const lin = vms.find((v) => v.name === 'lin-01');
  assert.ok(lin);
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
});

test('a CBT cycle with the client: enable, snapshot, "*", writes, delta, stale id', { timeout: 120_000 }, async () => {
  const vmObj = sim.engine.findVm('lin-01');
  assert.ok(vmObj);
  const vm = { type: 'VirtualMachine', value: vmObj.ref.value };
  await client.setChangeTracking(vm, true);
  const s1 = await client.createSnapshot(vm, { name: 'run-1' });
  const disks1 = await client.getSnapshotDisks(s1);
  const id1 = disks1.find((d) => d.key === 2000)?.changeId;
  assert.ok(id1);
  const full = await client.queryChangedDiskAreas({
    vm,
    snapshot: s1,
    deviceKey: 2000,
    changeId: '*',
    capacityBytes: 8 * MiB,
  });
  assert.equal(full.totalBytes, 2 * MiB);
  await client.removeSnapshot(s1);

  await sim.writeGuest('lin-01', 2000, 3 * MiB, randomBytes(8192));
  await sim.writeGuest('lin-01', 2000, 3 * MiB + 8192, randomBytes(4096));
  await sim.writeGuest('lin-01', 2000, 7 * MiB, randomBytes(512));
  await sim.writeGuest('lin-01', 2000, 100, randomBytes(100)); // inside sector 0: reported as that sector
  const s2 = await client.createSnapshot(vm, { name: 'run-2' });
  const delta = await client.queryChangedDiskAreas({
    vm,
    snapshot: s2,
    deviceKey: 2000,
    changeId: id1,
    capacityBytes: 8 * MiB,
  });
  assert.deepEqual(delta.areas, [
    { start: 0, length: 512 },
    { start: 3 * MiB, length: 12288 },
    { start: 7 * MiB, length: 512 },
  ]);
  assert.ok(delta.calls >= 2, 'paged');

  await assert.rejects(
    client.queryChangedDiskAreas({
      vm,
      snapshot: s2,
      deviceKey: 2000,
      changeId: '52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/4',
      capacityBytes: 8 * MiB,
    }),
    FileFaultError,
  );
  await client.removeSnapshot(s2);
  await assert.rejects(client.removeSnapshot(s2), ManagedObjectNotFoundError);
});

test('shutdown through the guest, then power on', { timeout: 120_000 }, async () => {
  const vmObj = sim.engine.findVm('lin-01');
  assert.ok(vmObj);
  const vm = { type: 'VirtualMachine', value: vmObj.ref.value };
  assert.equal(await client.shutdown(vm, { timeoutMs: 5000, pollMs: 10 }), 'guest-shutdown');
  assert.equal(vmObj.powerState, 'poweredOff');
  await client.powerOn(vm);
  assert.equal(vmObj.powerState, 'poweredOn');
});

test('a wrong password is an InvalidLoginError', { timeout: 120_000 }, async () => {
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

test('the client logs in again after the simulator drops its session', { timeout: 120_000 }, async () => {
  sim.expireSessions();
  const vms = await client.discoverVms();
  assert.equal(vms.length, 2);
});
