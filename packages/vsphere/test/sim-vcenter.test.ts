// The same client against the project's own vCenter simulator (packages/sim-vcenter), which adds what vcsim
// lacks: real CBT. Write blocks, snapshot, and QueryChangedDiskAreas from the previous change id must return
// exactly the written areas.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  DEFAULT_PASSWORD,
  DEFAULT_USERNAME,
  startVCenterSimulator,
  type VCenterSimulator,
} from '@migratekit/sim-vcenter';
import { isChangeIdRejected, testConnection, VsphereClient } from '@migratekit/vsphere';

const KiB = 1024;
let dir: string;
let sim: VCenterSimulator;
let client: VsphereClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mk-vsphere-sim-'));
  sim = await startVCenterSimulator({ dataDir: dir, guestWrites: false });
  client = await VsphereClient.connect({
    host: `${sim.host}:${sim.port}`,
    username: DEFAULT_USERNAME,
    password: DEFAULT_PASSWORD,
    thumbprint: sim.thumbprints.sha256,
  });
});

after(async () => {
  await client.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test('discovery of the simulator estate: every NIC resolves to a real network name', { timeout: 120_000 }, async () => {
  const [inventory, results] = await Promise.all([client.inventory(), client.discoverVmDetails()]);
  assert.equal(results.length, sim.listVms().length);
  const names = new Set(inventory.networks.map((n) => n.name));
  assert.ok(inventory.networks.some((n) => n.kind === 'distributed'));
  for (const { vm } of results) {
    assert.match(vm.id, /^[0-9a-f-]{36}$/);
    assert.ok(vm.disks.length > 0, vm.name);
    for (const nic of vm.networks) {
      assert.ok(names.has(nic.network_name), `${vm.name}: ${nic.network_name}`);
      assert.ok(!nic.network_name.endsWith('-network'));
    }
  }
  const connection = await testConnection({
    host: `${sim.host}:${sim.port}`,
    username: DEFAULT_USERNAME,
    password: DEFAULT_PASSWORD,
    thumbprint: sim.thumbprints.sha1,
  });
  assert.ok(connection.datacenters.length > 0);
});

test(
  'CBT through the client: the areas changed since the last snapshot are exactly the guest writes',
  { timeout: 120_000 },
  async () => {
    const [target] = await client.discoverVmDetails();
    assert.ok(target);
    const vm = target.details.ref;
    const disk = target.details.disks[0]!;
    await client.setChangeTracking(vm, true);

    const first = await client.createSnapshot(vm, { name: 'mk-run-1' });
    const full = await client.queryChangedDiskAreas({
      vm,
      snapshot: first,
      deviceKey: disk.key,
      changeId: '*',
      capacityBytes: disk.capacityBytes,
    });
    assert.ok(full.calls >= 1);
    const [frozen] = (await client.getSnapshotDisks(first)).filter((d) => d.key === disk.key);
    const previousChangeId = frozen?.changeId;
    assert.ok(previousChangeId, 'the snapshot disk carries a change id');
    await client.removeSnapshot(first);

    const writes: [number, number][] = [
      [1024 * KiB, 64 * KiB],
      [1088 * KiB, 64 * KiB],
      [8192 * KiB, 128 * KiB],
    ];
    for (const [offset, length] of writes) await sim.writeGuest(target.vm.name, disk.key, offset, randomBytes(length));

    const second = await client.createSnapshot(vm, { name: 'mk-run-2' });
    try {
      const delta = await client.queryChangedDiskAreas({
        vm,
        snapshot: second,
        deviceKey: disk.key,
        changeId: previousChangeId,
        capacityBytes: disk.capacityBytes,
      });
      assert.deepEqual(delta.areas, [
        { start: 1024 * KiB, length: 128 * KiB },
        { start: 8192 * KiB, length: 128 * KiB },
      ]);
      assert.equal(delta.totalBytes, 256 * KiB);

      await assert.rejects(
        client.queryChangedDiskAreas({
          vm,
          snapshot: second,
          deviceKey: disk.key,
          changeId: 'not-a-change-id',
          capacityBytes: disk.capacityBytes,
        }),
        (error: unknown) => isChangeIdRejected(error),
      );
    } finally {
      await client.removeSnapshot(second);
    }
  },
);
