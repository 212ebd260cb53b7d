// Acceptance (docs/conversion.md): the real Debian guest (initramfs without virtio, fstab naming /dev/sda1, as on
// VMware) is the disk of the dev estate's guest-image VM in the vCenter simulator. It is replicated into the
// CloudStack simulator through the API, a test failover runs with the server's real converter
// (virt-v2v-in-place on the volume attached to the server), and libguestfs inspection of the converted volume
// then shows virtio drivers in the initramfs and an fstab that no longer names /dev/sd devices; the job log holds
// the tool's output. The test cleanup then reverts the volume to the last sync, byte for byte, and leaves nothing
// in CloudStack. This is the one conversion a CI run does (minutes under TCG).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEV_GUEST_VM_NAME } from '../../src/dev/dev-guest-vm';
import {
  cloudInventory,
  failOver,
  jobLog,
  startConversionStack,
  until,
  volumeIdsOf,
  type ConversionStack,
} from './conversion-stack';
import { GUEST_IMAGE, LIBGUESTFS_ENV, run, scratchDir, skipWithoutGuestTools, type Scratch } from './guest-fixture';

const CONVERSION_LIMIT_S = 720;

/** sha256 of a file's first `length` bytes (the volume file may be larger than the source disk). */
async function hashOf(file: string, length: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { start: 0, end: length - 1 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('guest conversion in a test failover, end to end', { timeout: 880_000, skip: skipWithoutGuestTools() }, () => {
  let env: ConversionStack;
  let scratch: Scratch;
  before(async () => {
    scratch = await scratchDir();
    env = await startConversionStack({
      vms: [],
      guestImage: GUEST_IMAGE,
      conversionTimeoutSeconds: CONVERSION_LIMIT_S,
    });
  });
  after(async () => {
    await env.close();
    await scratch.remove();
  });

  test('virt-v2v-in-place converts the replicated guest; the cleanup reverts it', async (t) => {
    const source = env.estate.vcenter.listVms().find((vm) => vm.name === DEV_GUEST_VM_NAME);
    assert.ok(source, 'the dev estate has the guest-image VM');
    const banner = env.banner.join('\n');
    assert.match(banner, new RegExp(`Guest VM: +${DEV_GUEST_VM_NAME}, its disk copied from /\\S+\\.img`));
    assert.match(banner, /Conversion: +virt-v2v-in-place: failovers convert guests for KVM/);
    const capacity = source.disks[0]?.capacity ?? 0;
    const [volumeId] = await volumeIdsOf(env, DEV_GUEST_VM_NAME);
    assert.ok(volumeId);
    const volumeFile = () => cloudInventory(env, [volumeId]).volumes[0]?.file as string;
    const lastSync = await hashOf(volumeFile(), capacity);
    assert.equal(
      lastSync,
      createHash('sha256')
        .update(await env.estate.vcenter.readDisk(DEV_GUEST_VM_NAME, source.disks[0]?.key ?? 0, 0, capacity))
        .digest('hex'),
      'the replicated volume holds the guest',
    );

    const started = Date.now();
    const done = await failOver(env, DEV_GUEST_VM_NAME, 'test', (CONVERSION_LIMIT_S + 60) * 1000);
    t.diagnostic(`test failover with conversion took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    const step = done.steps.find((s) => s.name === 'convert guest' && s.kind === 'run');
    assert.equal(step?.status, 'completed');
    assert.equal((step?.output as { converted: boolean }).converted, true, JSON.stringify(step?.output));

    // The tool's own output, line by line, in the failover's job log under its step.
    assert.ok(done.workflow_job_id);
    const lines = (await jobLog(env, done.workflow_job_id))
      .filter((line) => line.step === 'convert guest')
      .map((line) => line.message)
      .join('\n');
    assert.match(lines, /Inspecting the source/);
    assert.match(lines, /Converting .+ to run on KVM/);
    assert.match(lines, /This guest has virtio drivers installed/);

    // The target VM runs on the converted volume as its root disk.
    const cloud = cloudInventory(env, [volumeId]);
    const target = cloud.vmsOtherThanServer.find((vm) => vm.id === done.destination_vm_id);
    assert.equal(target?.state, 'Running');
    assert.equal(cloud.volumes[0]?.vmId, target?.id);
    assert.equal(cloud.volumes[0]?.deviceId, 0);

    // libguestfs, read-only, on the converted volume: the fstab, and /boot copied out for lsinitramfs here.
    const { stdout: fstab } = await run(
      'guestfish',
      ['--ro', '--format=raw', '-a', volumeFile(), '-i', 'cat', '/etc/fstab', ':', 'copy-out', '/boot', scratch.dir],
      { env: LIBGUESTFS_ENV, timeout: 250_000 },
    );
    assert.doesNotMatch(fstab, /\/dev\/sd/);
    assert.match(fstab, /^\/dev\/vda1\s+\/\s/m);
    // virt-v2v keeps the old initramfs as initrd.img-<version>.pre-v2v: the one the guest boots is the other.
    const initrd = (await readdir(join(scratch.dir, 'boot'))).find(
      (name) => name.startsWith('initrd.img-') && !name.endsWith('.pre-v2v'),
    );
    assert.ok(initrd, 'the converted guest has an initramfs');
    const { stdout: contents } = await run('lsinitramfs', [join(scratch.dir, 'boot', initrd)], {
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.match(contents, /\/virtio_blk\.ko/);
    assert.match(contents, /\/virtio_pci\.ko/);

    // Cleanup: the volume goes back to the last sync (the conversion undone with it), nothing left in CloudStack.
    const cleanup = await env.api.call<{ job_id: string }>('POST', '/api/v1/failover/rollback', {
      vm_id: env.contexts.get(DEV_GUEST_VM_NAME),
      failover_type: 'test',
    });
    assert.equal(cleanup.status, 202, JSON.stringify(cleanup.body));
    const job = await until(
      async () => (await env.api.call<{ status: string }>('GET', `/api/v1/jobs/${cleanup.body.job_id}`)).body,
      (body) => !['pending', 'running'].includes(body.status),
      'test cleanup',
      120_000,
    );
    assert.equal(job.status, 'completed', JSON.stringify(job));
    const after = cloudInventory(env, [volumeId]);
    assert.equal(after.volumes[0]?.vmId, after.serverVmId, 'the volume is back on the server');
    assert.deepEqual(after.failoverSnapshots, [], 'no failover snapshot left');
    assert.deepEqual(after.vmsOtherThanServer, [], 'the test VM is gone');
    assert.equal(await hashOf(volumeFile(), capacity), lastSync, 'the volume holds the last sync again');
  });
});
