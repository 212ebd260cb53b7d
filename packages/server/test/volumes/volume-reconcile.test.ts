// Start-up reconciliation: operations a crashed process left executing are decided by what CloudStack shows,
// and volumes attached to the server VM get their device mapping and NBD export back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { engineCases } from '@migratekit/db/testing';
import { volumeExportName } from '../../src/volumes';
import { startVolumeFixture, type VolumeFixture } from './volume-fixture';

const GIB = 1024 ** 3;
let fx: VolumeFixture;

/** An operation row as a process that died mid-call leaves it. */
async function executingOp(input: Parameters<VolumeFixture['repositories']['volumeOperations']['create']>[0]) {
  const op = await fx.repositories.volumeOperations.create(input);
  await fx.repositories.volumeOperations.markExecuting(op.id);
  return op;
}

for (const engine of engineCases()) {
  describe(`reconciliation on ${engine.name}`, { timeout: 300_000, skip: engine.skip }, () => {
    test('reconcileAtStartup decides interrupted operations from CloudStack and restores exports', async () => {
      fx = await startVolumeFixture({ engine: engine.name });
      try {
        await reconcileScenario();
      } finally {
        await fx.close();
      }
    });
  });
}

async function reconcileScenario(): Promise<void> {
  const contextId = await fx.newContext('reconcile-vm');
  const exported = await fx.daemon.ensureVolume({
    contextId,
    diskId: 'disk-2000',
    sizeBytes: GIB,
    name: 'rc-exported',
  });
  await fx.daemon.attachToServer(exported.volume_id);
  const half = await fx.daemon.ensureVolume({ contextId, diskId: 'disk-2001', sizeBytes: GIB, name: 'rc-half' });
  const stuck = await fx.daemon.ensureVolume({ contextId, diskId: 'disk-2002', sizeBytes: GIB, name: 'rc-stuck' });
  await fx.daemon.attachToServer(stuck.volume_id);

  // The crash: an attach CloudStack finished but we never recorded; a create whose id we never learned; a
  // detach that never reached CloudStack; a delete of a volume that is already gone.
  await fx.client.attachVolume({ id: half.volume_id, virtualmachineid: fx.sim.serverVmId });
  const attachOp = await executingOp({
    type: 'attach',
    vm_context_id: contextId,
    volume_id: half.volume_id,
    vm_id: fx.sim.serverVmId,
    request: { id: half.volume_id },
  });
  const orphan = await fx.client.createVolume({
    name: 'rc-orphan',
    zoneid: (await fx.client.listZones())[0]?.id ?? '',
    diskofferingid: (await fx.client.listDiskOfferings()).find((o) => o.iscustomized === true)?.id ?? '',
    size: 1,
  });
  const createOp = await executingOp({
    type: 'create',
    vm_context_id: contextId,
    request: { name: 'rc-orphan', context_id: contextId, disk_id: 'disk-2003' },
  });
  const detachOp = await executingOp({
    type: 'detach',
    vm_context_id: contextId,
    volume_id: stuck.volume_id,
    vm_id: fx.sim.serverVmId,
    request: { id: stuck.volume_id },
  });
  const gone = '00000000-0000-4000-8000-000000000000';
  const deleteOp = await executingOp({ type: 'delete', volume_id: gone, request: { id: gone } });
  const revertOp = await executingOp({ type: 'revert', volume_id: stuck.volume_id, request: { id: 'snap' } });
  // A stale export row for a volume that is not on the server any more.
  await fx.repositories.nbdExports.upsert({
    export_name: volumeExportName(gone),
    vm_context_id: contextId,
    volume_id: gone,
    device_path: '/dev/vdz',
    status: 'active',
  });

  const daemon = await fx.restartDaemon();
  assert.equal(fx.target.listExports().length, 0, 'a fresh target serves nothing before reconciliation');
  const report = await daemon.reconcileAtStartup();

  const op = (id: string) => fx.repositories.volumeOperations.get(id);
  assert.equal((await op(attachOp.id))?.status, 'completed');
  assert.equal((await op(createOp.id))?.status, 'completed');
  assert.equal((await op(createOp.id))?.volume_id, orphan.id);
  assert.equal((await op(detachOp.id))?.status, 'failed');
  assert.match((await op(detachOp.id))?.error ?? '', /interrupted by a restart: volume is still attached/);
  assert.equal((await op(deleteOp.id))?.status, 'completed');
  assert.equal((await op(revertOp.id))?.status, 'failed');
  assert.deepEqual(await fx.repositories.volumeOperations.listUnfinished(), []);
  assert.deepEqual(report.undecided, []);

  // The orphan is known now, with the context and disk the create asked for.
  const adopted = await fx.repositories.cloudstackVolumes.getByVolumeId(orphan.id);
  assert.equal(adopted?.vm_context_id, contextId);
  assert.equal(adopted?.disk_id, 'disk-2003');

  // Every volume CloudStack shows on the server is exported again, with a device mapping.
  const expected = [exported.volume_id, half.volume_id, stuck.volume_id];
  assert.deepEqual(report.exportsRestored.sort(), [...expected].sort());
  assert.deepEqual(
    fx.target
      .listExports()
      .map((e) => e.name)
      .sort(),
    expected.map(volumeExportName).sort(),
  );
  for (const id of expected) {
    assert.ok(await fx.repositories.deviceMappings.get(id));
    assert.equal((await fx.repositories.cloudstackVolumes.getByVolumeId(id))?.attached_vm_id, fx.sim.serverVmId);
  }
  assert.equal(await fx.repositories.nbdExports.get(volumeExportName(gone)), undefined, 'stale export row removed');

  const agent = await fx.connectExport(volumeExportName(half.volume_id));
  assert.equal(agent.size, GIB);
  await agent.close();

  await daemon.deleteContextVolumes(contextId);
}
