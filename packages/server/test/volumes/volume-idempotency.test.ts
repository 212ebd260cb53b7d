// Idempotency and the export rule of docs/lessons.md#nbd-exports-dropped-on-failover-moves: asking for a state that
// already holds succeeds without a second CloudStack change, and a volume's NBD export is removed only when that volume
// leaves the server VM.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isMigrateKitError } from '@migratekit/core';
import { volumeExportName } from '../../src/volumes';
import { dataVolumes, deployStoppedVm, startVolumeFixture, type VolumeFixture } from './volume-fixture';

const GIB = 1024 ** 3;
let fx: VolumeFixture;

before(async () => {
  fx = await startVolumeFixture();
});
after(async () => {
  await fx.close();
});

test('ensure, attach, detach, delete and snapshot delete are idempotent', { timeout: 120_000 }, async () => {
  const contextId = await fx.newContext('idem-vm');
  const input = { contextId, diskId: 'disk-2000', sizeBytes: GIB, name: 'idem-disk-2000' };
  const first = await fx.daemon.ensureVolume(input);
  const second = await fx.daemon.ensureVolume(input);
  assert.equal(second.volume_id, first.volume_id);
  assert.equal(dataVolumes(fx).length, 1, 'one CloudStack volume for one disk');

  const a = await fx.daemon.attachToServer(first.volume_id);
  const b = await fx.daemon.attachToServer(first.volume_id);
  assert.deepEqual(b, a);
  const attaches = (await fx.repositories.volumeOperations.listByVolume(first.volume_id)).filter(
    (op) => op.type === 'attach',
  );
  assert.equal(attaches.length, 2);
  assert.equal(attaches[0]?.response?.already_attached, false);
  assert.equal(attaches[1]?.response?.already_attached, true);
  assert.equal(fx.target.listExports().length, 1);

  await fx.daemon.detachFromServer(first.volume_id);
  const again = await fx.daemon.detachFromServer(first.volume_id);
  assert.equal(again.virtualmachineid, undefined);
  await fx.daemon.detach(first.volume_id);

  const vmId = await deployStoppedVm(fx, 'idem-target');
  await fx.daemon.attachToVm(first.volume_id, vmId, 1);
  await fx.daemon.attachToVm(first.volume_id, vmId, 1);
  const row = await fx.repositories.cloudstackVolumes.getByVolumeId(first.volume_id);
  assert.equal(row?.attached_vm_id, vmId);
  assert.equal(row?.device_id, 1);
  assert.equal(row?.mode, 'failover');

  const snapshot = await fx.daemon.createSnapshot(first.volume_id);
  await fx.daemon.deleteSnapshot(snapshot.snapshotId);
  await fx.daemon.deleteSnapshot(snapshot.snapshotId);

  await fx.daemon.deleteVolume(first.volume_id);
  await fx.daemon.deleteVolume(first.volume_id);
  assert.deepEqual(dataVolumes(fx), []);
  const ops = await fx.repositories.volumeOperations.listByVolume(first.volume_id);
  assert.ok(ops.every((op) => op.status === 'completed'));
  const deletes = ops.filter((op) => op.type === 'delete' && op.request?.id === first.volume_id);
  assert.equal(deletes.at(-1)?.response?.already_deleted, true);

  // A volume the daemon does not manage is refused, not guessed at.
  await assert.rejects(fx.daemon.attachToServer(first.volume_id), (error) => {
    assert.ok(isMigrateKitError(error));
    assert.equal(error.code, 'MKE_NOT_FOUND');
    return true;
  });
});

test(
  'the NBD export survives moves between non-server VMs and goes only when its volume leaves the server',
  { timeout: 120_000 },
  async () => {
    const contextId = await fx.newContext('move-vm');
    const kept = await fx.daemon.ensureVolume({ contextId, diskId: 'disk-2000', sizeBytes: GIB, name: 'move-kept' });
    const moved = await fx.daemon.ensureVolume({ contextId, diskId: 'disk-2001', sizeBytes: GIB, name: 'move-moved' });
    await fx.daemon.attachToServer(kept.volume_id);
    await fx.daemon.attachToServer(moved.volume_id);
    const exportNames = (): string[] =>
      fx.target
        .listExports()
        .map((e) => e.name)
        .sort();
    assert.deepEqual(exportNames(), [volumeExportName(kept.volume_id), volumeExportName(moved.volume_id)].sort());

    // The agent is connected to the kept volume through all of this.
    const agent = await fx.connectExport(volumeExportName(kept.volume_id));
    await agent.write(0, Buffer.alloc(512, 7), { fua: true });

    const testVm1 = await deployStoppedVm(fx, 'move-test-1');
    const testVm2 = await deployStoppedVm(fx, 'move-test-2');
    await fx.daemon.attachToVm(moved.volume_id, testVm1);
    assert.deepEqual(exportNames(), [volumeExportName(kept.volume_id)], 'leaving the server removed its export');
    const keptRow = await fx.repositories.nbdExports.get(volumeExportName(kept.volume_id));
    assert.equal(await fx.repositories.nbdExports.get(volumeExportName(moved.volume_id)), undefined);

    await fx.daemon.attachToVm(moved.volume_id, testVm2);
    await fx.daemon.detach(moved.volume_id);
    await fx.daemon.attachToVm(moved.volume_id, testVm1);
    await fx.daemon.detach(moved.volume_id);
    assert.deepEqual(exportNames(), [volumeExportName(kept.volume_id)], 'moves between test VMs touch no export');
    assert.deepEqual(await fx.repositories.nbdExports.get(volumeExportName(kept.volume_id)), keptRow);
    assert.deepEqual(await agent.read(0, 512), Buffer.alloc(512, 7), 'the agent connection still works');

    const back = await fx.daemon.attachToServer(moved.volume_id);
    assert.equal(back.exportName, volumeExportName(moved.volume_id));
    assert.equal((await fx.repositories.cloudstackVolumes.getByVolumeId(moved.volume_id))?.mode, 'oma');
    assert.equal(fx.target.listExports().length, 2);
    await agent.close();

    await fx.daemon.deleteContextVolumes(contextId);
    assert.equal(fx.target.listExports().length, 0);
    assert.deepEqual(await fx.repositories.nbdExports.list(), []);
  },
);

test('a CloudStack volume MigrateKit does not manage is never deleted', { timeout: 120_000 }, async () => {
  const offering = (await fx.client.listDiskOfferings()).find((o) => o.iscustomized === true);
  const [zone] = await fx.client.listZones();
  assert.ok(offering && zone);
  const foreign = await fx.client.createVolume({
    name: 'customer-data',
    zoneid: zone.id,
    diskofferingid: offering.id,
    size: 1,
  });
  await assert.rejects(fx.daemon.deleteVolume(foreign.id), (error) => {
    assert.ok(isMigrateKitError(error));
    assert.equal(error.code, 'MKE_NOT_FOUND');
    return true;
  });
  assert.ok(dataVolumes(fx).some((v) => v.id === foreign.id));
  const [op] = await fx.repositories.volumeOperations.listByVolume(foreign.id);
  assert.equal(op?.status, 'failed');
  assert.match(op?.error ?? '', /not managed/);
  await fx.client.deleteVolume(foreign.id);
});

test(
  'concurrent calls for one disk or one volume are serialized: one volume, one attach',
  { timeout: 120_000 },
  async () => {
    const contextId = await fx.newContext('race-vm');
    const input = { contextId, diskId: 'disk-2000', sizeBytes: GIB, name: 'race-disk' };
    const before = dataVolumes(fx).length;
    const rows = await Promise.all([
      fx.daemon.ensureVolume(input),
      fx.daemon.ensureVolume(input),
      fx.daemon.ensureVolume(input),
    ]);
    assert.equal(new Set(rows.map((r) => r.volume_id)).size, 1);
    assert.equal(dataVolumes(fx).length, before + 1);
    const volumeId = rows[0]?.volume_id ?? '';
    const attached = await Promise.all([fx.daemon.attachToServer(volumeId), fx.daemon.attachToServer(volumeId)]);
    assert.deepEqual(attached[0], attached[1]);
    const ops = await fx.repositories.volumeOperations.listByVolume(volumeId);
    const attaches = ops.filter((op) => op.type === 'attach');
    assert.deepEqual(
      attaches.map((op) => op.response?.already_attached),
      [false, true],
    );
    // Serialized: each operation started after the previous one finished.
    for (let i = 1; i < ops.length; i++) {
      const previous = ops[i - 1];
      const current = ops[i];
      assert.ok(previous?.completed_at && current && current.created_at >= previous.completed_at);
    }
    await fx.daemon.deleteContextVolumes(contextId);
  },
);
