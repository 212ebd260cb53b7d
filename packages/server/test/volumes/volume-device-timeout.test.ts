// An attach whose by-id device never shows up: the operation fails with MKE_VOLUME_DEVICE_TIMEOUT after the
// bound (on a ManualClock), nothing is exported, and the database still says where CloudStack put the volume.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as tick } from 'node:timers/promises';
import { ManualClock, isMigrateKitError } from '@migratekit/core';
import { startVolumeFixture, type VolumeFixture } from './volume-fixture';

let fx: VolumeFixture;

before(async () => {
  fx = await startVolumeFixture();
});
after(async () => {
  await fx.close();
});

test(
  'attachToServer fails with MKE_VOLUME_DEVICE_TIMEOUT when the device never appears',
  { timeout: 120_000 },
  async () => {
    const contextId = await fx.newContext('no-device-vm');
    const row = await fx.daemon.ensureVolume({ contextId, diskId: 'disk-2000', sizeBytes: 1024 ** 3, name: 'nodev' });
    const clock = new ManualClock();
    const blind = {
      realpath: (path: string) => Promise.reject(Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' })),
    };
    const daemon = await fx.restartDaemon({
      clock,
      fs: blind,
      deviceWaitTimeoutMs: 30_000,
      devicePollIntervalMs: 1_000,
    });

    let outcome: unknown = 'pending';
    const attaching = daemon.attachToServer(row.volume_id).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    // Real CloudStack calls run meanwhile; the device wait only moves when this clock does.
    for (let i = 0; i < 2_000 && outcome === 'pending'; i++) {
      await tick(2);
      await clock.advance(1_000);
    }
    await attaching;
    assert.ok(isMigrateKitError(outcome), String(outcome));
    assert.equal(outcome.code, 'MKE_VOLUME_DEVICE_TIMEOUT');

    const [op] = (await fx.repositories.volumeOperations.listByVolume(row.volume_id)).filter(
      (o) => o.type === 'attach',
    );
    assert.equal(op?.status, 'failed');
    assert.match(op?.error ?? '', /did not appear within 30000 ms/);
    assert.equal(op?.response?.code, 'MKE_VOLUME_DEVICE_TIMEOUT');
    assert.deepEqual(fx.target.listExports(), []);
    assert.equal(await fx.repositories.deviceMappings.get(row.volume_id), undefined);
    // CloudStack did attach it: the row says so, and a later attach (with the device present) completes it.
    assert.equal(
      (await fx.repositories.cloudstackVolumes.getByVolumeId(row.volume_id))?.attached_vm_id,
      fx.sim.serverVmId,
    );
    const healthy = await fx.restartDaemon();
    const attached = await healthy.attachToServer(row.volume_id);
    assert.equal(fx.target.listExports()[0]?.name, attached.exportName);
    await healthy.deleteContextVolumes(contextId);
  },
);
