// Keeping a VM's volumes together across data movers (docs/scale-out.md#data-movers): a volume that mover A's VM
// still holds (its agent moved to server B since) is detached there by B's 'ensure volumes' step before B attaches
// and exports it, against the CloudStack simulator with its by-id links and the real NBD target.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startVolumeFixture } from './volume-fixture';

const MIB = 1024 * 1024;

test("a volume still attached to another mover's VM moves to this server's mover", { timeout: 120_000 }, async (t) => {
  const fx = await startVolumeFixture();
  t.after(() => fx.close());
  const [zone] = await fx.client.listZones();
  const [offering] = await fx.client.listServiceOfferings();
  const [template] = await fx.client.listTemplates({ templatefilter: 'executable' });
  const network = (await fx.client.listNetworks()).find((n) => n.type === 'L2');
  assert.ok(zone && offering && template && network);
  const moverA = await fx.client.deployVirtualMachine({
    zoneid: zone.id,
    serviceofferingid: offering.id,
    templateid: template.id,
    name: 'mover-a',
    networkids: [network.id],
  });
  const contextId = await fx.newContext('moved-vm');
  const volume = await fx.daemon.ensureVolume({ contextId, diskId: 'disk-2000', sizeBytes: 8 * MIB, name: 'moved' });
  // What server A's replication left: the volume attached to A's VM, recorded as a replication (oma) volume.
  const onA = await fx.client.attachVolume({ id: volume.volume_id, virtualmachineid: moverA.id });
  await fx.repositories.cloudstackVolumes.update(volume.volume_id, {
    attached_vm_id: onA.virtualmachineid ?? null,
    device_id: onA.deviceid ?? null,
  });
  assert.equal((await fx.repositories.cloudstackVolumes.countAttachedByVm([moverA.id])).get(moverA.id), 1);

  const attached = await fx.daemon.attachToServer(volume.volume_id);

  const inSim = fx.sim.inventory().volumes.find((v) => v.id === volume.volume_id);
  assert.equal(inSim?.vmId, fx.sim.serverVmId, "on this server's mover now");
  assert.ok(inSim.byIdLink !== undefined);
  const row = await fx.repositories.cloudstackVolumes.getByVolumeId(volume.volume_id);
  assert.deepEqual([row?.attached_vm_id, row?.mode], [fx.sim.serverVmId, 'oma']);
  assert.equal((await fx.repositories.cloudstackVolumes.countAttachedByVm([moverA.id])).size, 0, 'A holds none');
  // Detached from A first, then attached here: both recorded, in that order.
  const operations = await fx.repositories.volumeOperations.list({ volumeId: volume.volume_id });
  assert.deepEqual(
    operations.items
      .filter((op) => op.type === 'detach' || op.type === 'attach')
      .reverse()
      .map((op) => [op.type, op.vm_id, op.status]),
    [
      ['detach', moverA.id, 'completed'],
      ['attach', fx.sim.serverVmId, 'completed'],
    ],
  );
  const agent = await fx.connectExport(attached.exportName);
  assert.equal(agent.size, row?.size_bytes, 'exported by this server');
  await agent.close();
});
