import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { open, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CloudStackApiError, type CloudStackClient } from '@migratekit/cloudstack';
import { DEFAULT_SEED, DEFAULT_ZONE_ID } from '../src/default-seed';
import { volumeSerial } from '../src/volume-files';
import { rejection, startFixture, type SimFixture } from './sim-fixture';

const CUSTOM_OFFERING = String(DEFAULT_SEED.diskOfferings.find((o) => o.name === 'Custom')?.id);
const SMALL_OFFERING = String(DEFAULT_SEED.diskOfferings.find((o) => o.name === 'Small 20GB')?.id);
const MIB = 1024 * 1024;

let fx: SimFixture;
let client: CloudStackClient;
before(async () => {
  fx = await startFixture();
  client = fx.client;
});
after(() => fx.close());

async function writeAt(path: string, offset: number, data: Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  await handle.write(data, 0, data.length, offset);
  await handle.close();
}

async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  const buffer = Buffer.alloc(length);
  await handle.read(buffer, 0, length, offset);
  await handle.close();
  return buffer;
}

function apiError(error: unknown): CloudStackApiError {
  assert.ok(error instanceof CloudStackApiError, `expected CloudStackApiError, got ${String(error)}`);
  return error;
}

test(
  'volume life cycle: create, attach (by-id link), write, snapshot, detach, revert, reattach, delete',
  { timeout: 120_000 },
  async () => {
    const volume = await client.createVolume({
      name: 'disk-2000',
      zoneid: DEFAULT_ZONE_ID,
      diskofferingid: CUSTOM_OFFERING,
      size: 1,
    });
    assert.equal(volume.state, 'Allocated');
    assert.equal(volume.size, 1024 ** 3);
    assert.equal(volume.type, 'DATADISK');
    assert.equal(volume.virtualmachineid, undefined);

    const attached = await client.attachVolume({ id: volume.id, virtualmachineid: fx.sim.serverVmId });
    assert.equal(attached.state, 'Ready');
    assert.equal(attached.virtualmachineid, fx.sim.serverVmId);
    assert.equal(attached.deviceid, 1);
    assert.equal(attached.vmname, 'migratekit-appliance');
    const link = join(fx.byIdDir, `virtio-${volumeSerial(volume.id)}`);
    assert.equal(volumeSerial(volume.id), volume.id.replaceAll('-', '').slice(0, 20));
    const file = await readlink(link);
    assert.equal((await stat(link)).size, 1024 ** 3);
    assert.ok((await stat(file)).blocks * 512 < MIB, 'the backing file is sparse');

    const original = Buffer.alloc(64 * 1024, 0xab);
    await writeAt(link, 5 * MIB, original);
    const snapshot = await client.createSnapshot({ volumeid: volume.id, name: 'before-test' });
    assert.equal(snapshot.state, 'BackedUp');
    assert.equal(snapshot.volumeid, volume.id);
    assert.equal(snapshot.revertable, true);
    assert.deepEqual(
      (await client.listSnapshots({ volumeid: volume.id })).map((s) => s.id),
      [snapshot.id],
    );

    await writeAt(link, 5 * MIB, Buffer.alloc(64 * 1024, 0x11));
    await writeAt(link, 100 * MIB, Buffer.from('changed after the snapshot'));

    const detached = await client.detachVolume({ id: volume.id });
    assert.equal(detached.virtualmachineid, undefined);
    assert.equal(detached.deviceid, undefined);
    assert.equal(existsSync(link), false, 'detaching removes the by-id link');

    const reverted = await client.revertSnapshot(snapshot.id);
    assert.equal(reverted.id, snapshot.id);
    const again = await client.attachVolume({ id: volume.id, virtualmachineid: fx.sim.serverVmId });
    assert.equal(again.state, 'Ready');
    assert.deepEqual(await readAt(link, 5 * MIB, original.length), original);
    assert.deepEqual(await readAt(link, 100 * MIB, 26), Buffer.alloc(26), 'bytes written after the snapshot are gone');

    await client.detachVolume({ id: volume.id });
    await client.deleteSnapshot(snapshot.id);
    assert.deepEqual(await client.listSnapshots({ volumeid: volume.id }), []);
    assert.deepEqual(await client.deleteVolume(volume.id), { success: true });
    assert.equal(existsSync(file), false, 'deleting the volume removes its file');
    assert.deepEqual(await client.listVolumes({ id: volume.id }), []);
    assert.ok(fx.sim.inventory().volumes.every((v) => v.id !== volume.id));
  },
);

test(
  'device ids: automatic ids skip 3, explicit ids must be free, not 3 and not above the limit',
  { timeout: 120_000 },
  async () => {
    const vmId = fx.sim.serverVmId;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const v = await client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: SMALL_OFFERING });
      ids.push(v.id);
    }
    const devices: (number | undefined)[] = [];
    for (const id of ids) devices.push((await client.attachVolume({ id, virtualmachineid: vmId })).deviceid);
    assert.deepEqual(devices, [1, 2, 4]);

    const extra = await client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: SMALL_OFFERING });
    const cdrom = apiError(await rejection(client.attachVolume({ id: extra.id, virtualmachineid: vmId, deviceid: 3 })));
    assert.equal(cdrom.errorCode, 530);
    assert.equal(cdrom.errorText, 'deviceId should be 1,2,4-25');
    assert.ok(cdrom.jobId, 'the failure is reported by the job');
    const used = apiError(await rejection(client.attachVolume({ id: extra.id, virtualmachineid: vmId, deviceid: 2 })));
    assert.match(used.errorText, /^deviceId 2 is used by vm \d+$/);
    const tooHigh = apiError(
      await rejection(client.attachVolume({ id: extra.id, virtualmachineid: vmId, deviceid: 26 })),
    );
    assert.equal(tooHigh.errorText, 'deviceId should be 1,2,4-25');
    const root = apiError(await rejection(client.attachVolume({ id: extra.id, virtualmachineid: vmId, deviceid: 0 })));
    assert.equal(root.errorCode, 431);
    assert.equal(root.errorText, 'Root volume detach can happen only when vm is in states: Stopped or Destroyed');
    assert.equal((await client.attachVolume({ id: extra.id, virtualmachineid: vmId, deviceid: 7 })).deviceid, 7);

    const twice = apiError(await rejection(client.attachVolume({ id: ids[0] ?? '', virtualmachineid: vmId })));
    assert.equal(twice.errorCode, 431);
    assert.equal(twice.errorText, 'Please specify a volume that is not attached to any VM.');

    for (const id of [...ids, extra.id]) {
      await client.detachVolume({ id });
      await client.deleteVolume(id);
    }
  },
);

test('preconditions answer with CloudStack error codes and texts', { timeout: 120_000 }, async () => {
  const volume = await client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: CUSTOM_OFFERING, size: 1 });

  const allocatedSnapshot = apiError(await rejection(client.createSnapshot({ volumeid: volume.id })));
  assert.equal(allocatedSnapshot.errorCode, 431);
  assert.equal(allocatedSnapshot.csErrorCode, 4350);
  assert.equal(allocatedSnapshot.jobId, undefined, 'create-phase validation is synchronous');
  assert.equal(
    allocatedSnapshot.errorText,
    `VolumeId: ${volume.id} is not in Ready state but Allocated. Cannot take snapshot.`,
  );

  const notAttached = apiError(await rejection(client.detachVolume({ id: volume.id })));
  assert.equal(notAttached.errorCode, 431);
  assert.equal(notAttached.errorText, 'The specified volume is not attached to a VM.');

  await client.attachVolume({ id: volume.id, virtualmachineid: fx.sim.serverVmId });
  const attachedDelete = apiError(await rejection(client.deleteVolume(volume.id)));
  assert.equal(attachedDelete.errorCode, 431);
  assert.equal(attachedDelete.csErrorCode, 4350);
  assert.equal(attachedDelete.errorText, 'Please specify a volume that is not attached to any VM.');

  const snapshot = await client.createSnapshot({ volumeid: volume.id });
  const running = apiError(await rejection(client.revertSnapshot(snapshot.id)));
  assert.equal(running.errorCode, 431);
  assert.equal(running.errorText, 'The VM the specified disk is attached to is not in the shutdown state.');

  const missing = apiError(await rejection(client.call('attachVolume', { virtualmachineid: fx.sim.serverVmId })));
  assert.equal(missing.errorCode, 431);
  assert.equal(missing.csErrorCode, 9999);
  assert.equal(missing.errorText, 'Unable to execute API command attachvolume due to missing parameter id');

  const unknown = apiError(await rejection(client.deleteVolume('00000000-0000-4000-8000-000000000000')));
  assert.equal(unknown.errorCode, 431);
  assert.match(
    unknown.errorText,
    /^Unable to execute API command deletevolume due to invalid value\. Invalid parameter id value=00000000/,
  );

  const noOffering = apiError(await rejection(client.createVolume({ zoneid: DEFAULT_ZONE_ID, name: 'x' })));
  assert.equal(noOffering.errorText, 'Either disk Offering Id or snapshot Id must be passed whilst creating volume');
  const noSize = apiError(
    await rejection(client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: CUSTOM_OFFERING })),
  );
  assert.equal(noSize.errorText, 'This disk offering requires a custom size specified');
  const fixedSize = apiError(
    await rejection(client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: SMALL_OFFERING, size: 5 })),
  );
  assert.equal(fixedSize.errorText, 'This disk offering does not allow custom size');

  await client.detachVolume({ id: volume.id });
  await client.deleteSnapshot(snapshot.id);
  await client.deleteVolume(volume.id);
});

test('resize grows the file; shrinking needs shrinkok', { timeout: 120_000 }, async () => {
  const volume = await client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: CUSTOM_OFFERING, size: 1 });
  await client.attachVolume({ id: volume.id, virtualmachineid: fx.sim.serverVmId });
  const grown = await client.resizeVolume({ id: volume.id, size: 2 });
  assert.equal(grown.size, 2 * 1024 ** 3);
  assert.equal((await stat(join(fx.byIdDir, `virtio-${volumeSerial(volume.id)}`))).size, 2 * 1024 ** 3);
  const shrink = apiError(await rejection(client.resizeVolume({ id: volume.id, size: 1 })));
  assert.match(shrink.errorText, /would shrink the volume\. Need to sign off by supplying the shrinkok parameter/);
  await client.detachVolume({ id: volume.id });
  await client.deleteVolume(volume.id);
});

test('createVolume from a snapshot copies its content', { timeout: 120_000 }, async () => {
  const volume = await client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: CUSTOM_OFFERING, size: 1 });
  await client.attachVolume({ id: volume.id, virtualmachineid: fx.sim.serverVmId });
  const link = join(fx.byIdDir, `virtio-${volumeSerial(volume.id)}`);
  await writeAt(link, 0, Buffer.from('boot sector'));
  const snapshot = await client.createSnapshot({ volumeid: volume.id });
  const copy = await client.createVolume({
    snapshotid: snapshot.id,
    name: 'copy',
    virtualmachineid: fx.sim.serverVmId,
  });
  assert.equal(copy.state, 'Ready');
  assert.equal(copy.virtualmachineid, fx.sim.serverVmId);
  const copyLink = join(fx.byIdDir, `virtio-${volumeSerial(copy.id)}`);
  assert.deepEqual(await readAt(copyLink, 0, 11), Buffer.from('boot sector'));
  for (const id of [volume.id, copy.id]) {
    await client.detachVolume({ id });
    await client.deleteVolume(id);
  }
  await client.deleteSnapshot(snapshot.id);
});
