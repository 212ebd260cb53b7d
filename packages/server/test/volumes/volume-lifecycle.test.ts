// Acceptance (issue 4): the volume daemon against the CloudStack simulator, with real files under the by-id
// directory and the real NBD target.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { engineCases } from '@migratekit/db/testing';
import { byIdPath, volumeExportName, volumeSerial } from '../../src/volumes';
import { dataVolumes, startVolumeFixture, type VolumeFixture } from './volume-fixture';

const GIB = 1024 ** 3;

async function writeAt(path: string, offset: number, data: Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(data, 0, data.length, offset);
  } finally {
    await handle.close();
  }
}

async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, offset);
    return buf;
  } finally {
    await handle.close();
  }
}

for (const engine of engineCases()) {
  describe(`volume daemon on ${engine.name}`, { timeout: 300_000, skip: engine.skip }, () => {
    test('life cycle: create 3, attach, write, snapshot, change, detach, revert, reattach, bytes equal, delete', async () => {
      const fx = await startVolumeFixture({ engine: engine.name });
      try {
        await lifeCycle(fx);
      } finally {
        await fx.close();
      }
    });
  });
}

async function lifeCycle(fx: VolumeFixture): Promise<void> {
  const contextId = await fx.newContext('lifecycle-vm');
  const disks = ['disk-2000', 'disk-2001', 'disk-2002'];
  const rows = [];
  for (const [i, diskId] of disks.entries())
    rows.push(await fx.daemon.ensureVolume({ contextId, diskId, sizeBytes: (i + 1) * GIB, name: `lc-${diskId}` }));
  assert.equal(new Set(rows.map((r) => r.volume_id)).size, 3);
  assert.deepEqual(
    rows.map((r) => r.size_bytes),
    [GIB, 2 * GIB, 3 * GIB],
  );

  const original = new Map<string, Buffer>();
  for (const row of rows) {
    const attached = await fx.daemon.attachToServer(row.volume_id);
    assert.equal(attached.persistentName, byIdPath(fx.byIdDir, row.volume_id));
    assert.ok(attached.persistentName.endsWith(`virtio-${volumeSerial(row.volume_id)}`));
    assert.equal(attached.exportName, volumeExportName(row.volume_id));
    assert.ok(existsSync(attached.devicePath), 'the device path exists');
    const bytes = Buffer.from(`snapshot content of ${row.volume_id}`.padEnd(4096, '.'));
    await writeAt(attached.persistentName, 1024 * 1024, bytes);
    original.set(row.volume_id, bytes);
  }
  const mappings = await Promise.all(rows.map((r) => fx.repositories.deviceMappings.get(r.volume_id)));
  assert.ok(mappings.every((m) => m?.persistent_device_name?.startsWith(fx.byIdDir)));
  assert.equal((await fx.repositories.nbdExports.list()).length, 3);
  assert.equal(fx.target.listExports().length, 3);

  const snapshots = [];
  for (const row of rows) snapshots.push(await fx.daemon.createSnapshot(row.volume_id));
  assert.ok(snapshots.every((s) => s.state === 'BackedUp'));

  // Change the bytes: one volume through its NBD export (as the agent would), the others through the device.
  const [first, ...rest] = rows;
  assert.ok(first);
  const nbd = await fx.connectExport(volumeExportName(first.volume_id));
  await nbd.write(1024 * 1024, Buffer.alloc(4096, 0x5a), { fua: true });
  await nbd.close();
  for (const row of rest) await writeAt(byIdPath(fx.byIdDir, row.volume_id), 1024 * 1024, Buffer.alloc(4096, 0x33));
  for (const row of rows)
    assert.notDeepEqual(
      await readAt(byIdPath(fx.byIdDir, row.volume_id), 1024 * 1024, 4096),
      original.get(row.volume_id),
    );

  for (const row of rows) await fx.daemon.detachFromServer(row.volume_id);
  for (const row of rows) assert.equal(existsSync(byIdPath(fx.byIdDir, row.volume_id)), false, 'link removed');
  assert.equal(fx.target.listExports().length, 0);
  assert.equal((await fx.repositories.nbdExports.list()).length, 0);
  assert.equal((await fx.repositories.deviceMappings.listByVm(fx.sim.serverVmId)).length, 0);

  for (const snapshot of snapshots) await fx.daemon.revertSnapshot(snapshot.snapshotId);
  for (const row of rows) {
    const attached = await fx.daemon.attachToServer(row.volume_id);
    assert.deepEqual(await readAt(attached.devicePath, 1024 * 1024, 4096), original.get(row.volume_id));
  }
  // Also through NBD after the re-attach: the export came back under the same name.
  const again = await fx.connectExport(volumeExportName(first.volume_id));
  assert.deepEqual(await again.read(1024 * 1024, 4096), original.get(first.volume_id));
  await again.close();

  for (const snapshot of snapshots) await fx.daemon.deleteSnapshot(snapshot.snapshotId);
  assert.equal(await fx.daemon.deleteContextVolumes(contextId), 3);

  const inventory = fx.sim.inventory();
  assert.deepEqual(dataVolumes(fx), []);
  assert.deepEqual(inventory.snapshots, []);
  assert.deepEqual(await fx.repositories.cloudstackVolumes.listByContext(contextId), []);
  assert.equal(fx.target.listExports().length, 0);
  const unfinished = await fx.repositories.volumeOperations.listUnfinished();
  assert.deepEqual(unfinished, []);
  const ops = (await Promise.all(rows.map((r) => fx.repositories.volumeOperations.listByVolume(r.volume_id)))).flat();
  assert.ok(
    ops.every((op) => op.status === 'completed'),
    JSON.stringify(ops.filter((o) => o.status !== 'completed')),
  );
  const types = new Set(ops.map((op) => op.type));
  for (const type of ['create', 'attach', 'detach', 'snapshot', 'revert', 'delete'])
    assert.ok(types.has(type as never), type);
  assert.equal(existsSync(byIdPath(fx.byIdDir, first.volume_id)), false);
}
