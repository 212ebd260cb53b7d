// Acceptance (docs/conversion.md): a disk without an operating system fails the conversion with the tool's own
// message; GuestConversionService.inspectContext finds the VM's disk through its by-id link (as for a volume
// attached to the server), stores `unknown`, not convertible, with virt-inspector's words, and the conversion
// pre-flight then refuses with that reason.
import assert from 'node:assert/strict';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isMigrateKitError, systemClock } from '@migratekit/core';
import { createRepositories, migrateToLatest, openDatabase } from '@migratekit/db';
import pino from 'pino';
import { GuestConversionService } from '../../src/conversion/guest-conversion.service';
import { DeviceResolver, nodeDeviceFs, byIdPath } from '../../src/volumes';
import { createConverter, scratchDir, skipWithoutGuestTools } from './guest-fixture';

describe('virt-v2v on a disk without an operating system', { timeout: 880_000, skip: skipWithoutGuestTools() }, () => {
  test('conversion fails with the tool message; the stored inspection says no OS and pre-flight refuses', async (t) => {
    const scratch = await scratchDir();
    t.after(() => scratch.remove());
    const disk = join(scratch.dir, 'blank.img');
    await writeFile(disk, '');
    await truncate(disk, 64 * 1024 * 1024);
    const converter = createConverter();

    const lines: string[] = [];
    await assert.rejects(
      converter.convert({
        devices: [disk],
        osFamily: 'linux',
        onLine: (_level, line) => lines.push(line),
        signal: new AbortController().signal,
        timeoutMs: 300_000,
      }),
      (error: unknown) => {
        assert.ok(isMigrateKitError(error));
        assert.equal(error.code, 'MKE_GUEST_CONVERSION_FAILED');
        assert.match(error.message, /^virt-v2v-in-place failed: virt-v2v-in-place: error: inspection could not detect/);
        return true;
      },
    );
    assert.ok(
      lines.some((line) => line.includes('Setting up the source')),
      'the tool output was streamed',
    );

    const database = openDatabase(`sqlite:${join(scratch.dir, 'migratekit.db')}`);
    t.after(() => database.close());
    await migrateToLatest(database.db);
    const repositories = createRepositories(database.db, systemClock);
    await repositories.contexts.create({ context_id: 'ctx-blank', vm_name: 'blank', vmware_vm_id: 'vm-blank' });
    await repositories.cloudstackVolumes.create({
      vm_context_id: 'ctx-blank',
      volume_id: 'vol-blank-0001',
      name: 'blank-disk-0',
      size_bytes: 64 * 1024 * 1024,
      mode: 'oma',
    });
    const byIdDir = join(scratch.dir, 'by-id');
    await mkdir(byIdDir);
    await symlink(disk, byIdPath(byIdDir, 'vol-blank-0001'));
    const service = new GuestConversionService({
      converter,
      repositories,
      devices: new DeviceResolver({ fs: nodeDeviceFs, clock: systemClock, byIdDir, timeoutMs: 0, pollIntervalMs: 10 }),
      logger: pino({ level: 'silent' }),
    });

    const stored = await service.inspectContext('ctx-blank', new AbortController().signal);
    assert.equal(stored.os_family, 'unknown');
    assert.equal(stored.convertible, false);
    assert.match(stored.reason ?? '', /no operating system/i);
    assert.deepEqual(stored.devices, [disk]);
    assert.deepEqual(await service.latestInspection('ctx-blank'), stored);
    const preflight = await service.preflight('ctx-blank');
    assert.equal(preflight.willConvert, false);
    assert.equal(preflight.blockingReason, stored.reason);
  });
});
