// GuestConversionService's rules on a real database: the pre-flight verdict (skip without a converter, refuse
// Windows without virtio-win drivers when the tools are there) and the devices of a VM's volumes.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { isMigrateKitError, skipUnlessPeer, systemClock } from '@migratekit/core';
import { createRepositories, migrateToLatest, openDatabase, type Repositories } from '@migratekit/db';
import pino from 'pino';
import { GuestConversionService } from '../../src/conversion/guest-conversion.service';
import { converterNotConfigured, type GuestConverter } from '../../src/conversion/guest-converter';
import { byIdPath, DeviceResolver, nodeDeviceFs } from '../../src/volumes';
import { createConverter, scratchDir } from './guest-fixture';

async function setUp(t: TestContext, converter: GuestConverter) {
  const scratch = await scratchDir();
  t.after(() => scratch.remove());
  const database = openDatabase(`sqlite:${join(scratch.dir, 'migratekit.db')}`);
  t.after(() => database.close());
  await migrateToLatest(database.db);
  const repositories: Repositories = createRepositories(database.db, systemClock);
  const byIdDir = join(scratch.dir, 'by-id');
  await mkdir(byIdDir);
  const service = new GuestConversionService({
    converter,
    repositories,
    devices: new DeviceResolver({ fs: nodeDeviceFs, clock: systemClock, byIdDir, timeoutMs: 0, pollIntervalMs: 10 }),
    logger: pino({ level: 'silent' }),
  });
  return { scratch, repositories, byIdDir, service };
}

const converterInstalled = (await createConverter().availability()).available;

describe('GuestConversionService', { timeout: 60_000 }, () => {
  test('without a converter the pre-flight says the step will be skipped, and why', async (t) => {
    const { repositories, service } = await setUp(t, converterNotConfigured('virt-v2v is not installed'));
    await repositories.contexts.create({
      context_id: 'ctx-w',
      vm_name: 'w',
      vmware_vm_id: 'vm-w',
      os_type: 'windows2019srv_64Guest',
    });
    assert.deepEqual(await service.preflight('ctx-w'), {
      osFamily: 'windows',
      willConvert: false,
      skipReason: 'virt-v2v is not installed',
      inspection: undefined,
    });
    await assert.rejects(
      service.inspectContext('ctx-w', new AbortController().signal),
      (error: unknown) => isMigrateKitError(error) && error.code === 'MKE_NOT_CONFIGURED',
    );
  });

  test('the devices are the by-id targets of the volumes attached here, in disk order; others refuse', async (t) => {
    const { scratch, repositories, byIdDir, service } = await setUp(t, converterNotConfigured('none'));
    await repositories.contexts.create({ context_id: 'ctx-l', vm_name: 'l', vmware_vm_id: 'vm-l' });
    for (const [index, volumeId] of ['vol-root-0001', 'vol-data-0002'].entries()) {
      await repositories.cloudstackVolumes.create({
        vm_context_id: 'ctx-l',
        volume_id: volumeId,
        name: `l-disk-${index}`,
        disk_id: `disk-${index}`,
        size_bytes: 1024,
        mode: 'oma',
      });
      const file = join(scratch.dir, `${volumeId}.img`);
      await writeFile(file, '');
      await symlink(file, byIdPath(byIdDir, volumeId));
    }
    assert.deepEqual(await service.serverDevices('ctx-l'), [
      join(scratch.dir, 'vol-root-0001.img'),
      join(scratch.dir, 'vol-data-0002.img'),
    ]);
    await repositories.cloudstackVolumes.update('vol-data-0002', { mode: 'failover' });
    await assert.rejects(
      service.serverDevices('ctx-l'),
      (error: unknown) =>
        isMigrateKitError(error) &&
        error.code === 'MKE_CONFLICT' &&
        /vol-data-0002 .* not attached/.test(error.message),
    );
  });

  test(
    'with the tools installed, a Windows guest without MIGRATEKIT_VIRTIO_WIN is refused with that reason',
    { skip: skipUnlessPeer('virt-v2v and libguestfs-tools', converterInstalled) },
    async (t) => {
      const { repositories, service } = await setUp(t, createConverter());
      await repositories.contexts.create({
        context_id: 'ctx-win',
        vm_name: 'win',
        vmware_vm_id: 'vm-win',
        os_type: 'windows9_64Guest',
      });
      await repositories.contexts.create({
        context_id: 'ctx-deb',
        vm_name: 'deb',
        vmware_vm_id: 'vm-deb',
        os_type: 'debian12_64Guest',
      });
      const windows = await service.preflight('ctx-win');
      assert.equal(windows.willConvert, false);
      assert.match(windows.blockingReason ?? '', /MIGRATEKIT_VIRTIO_WIN/);
      assert.deepEqual(await service.preflight('ctx-deb'), {
        osFamily: 'linux',
        willConvert: true,
        inspection: undefined,
      });
    },
  );
});
