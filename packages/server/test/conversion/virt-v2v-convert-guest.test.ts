// Acceptance (docs/conversion.md): virt-v2v-in-place converts a copy of the real Debian guest (initramfs
// without virtio, fstab naming /dev/sda1, as on VMware) through VirtV2vConverter, and libguestfs inspection of
// the converted disk then shows virtio drivers in the initramfs and an fstab that no longer names sd devices.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { copyOfGuest, createConverter, LIBGUESTFS_ENV, run, scratchDir, skipWithoutGuestTools } from './guest-fixture';

describe('virt-v2v-in-place on the Debian test guest', { timeout: 880_000, skip: skipWithoutGuestTools() }, () => {
  test('converts the guest: virtio in the initramfs, fstab by virtio device names, output streamed', async (t) => {
    const scratch = await scratchDir();
    t.after(() => scratch.remove());
    const disk = await copyOfGuest(scratch.dir);
    const converter = createConverter();
    const availability = await converter.availability();
    assert.equal(availability.available, true, availability.reason);
    assert.match(availability.unsupported?.windows ?? '', /MIGRATEKIT_VIRTIO_WIN/);

    const lines: Array<[string, string]> = [];
    const result = await converter.convert({
      devices: [disk],
      osFamily: 'linux',
      onLine: (level, line) => lines.push([level, line]),
      signal: new AbortController().signal,
      timeoutMs: 600_000,
    });
    t.diagnostic(`virt-v2v-in-place took ${(result.durationMs / 1000).toFixed(1)} s`);
    const text = lines.map(([, line]) => line).join('\n');
    assert.match(text, /Inspecting the source/);
    assert.match(text, /Converting .+ to run on KVM/);
    assert.match(text, /This guest has virtio drivers installed/);
    assert.ok(result.summary.length > 0);

    // One read-only appliance run: the converted fstab, and /boot copied out for lsinitramfs on this host.
    const { stdout: fstab } = await run(
      'guestfish',
      ['--ro', '-a', disk, '-i', 'cat', '/etc/fstab', ':', 'copy-out', '/boot', scratch.dir],
      {
        env: LIBGUESTFS_ENV,
        timeout: 250_000,
      },
    );
    assert.doesNotMatch(fstab, /\/dev\/sd/);
    assert.match(fstab, /^\/dev\/vda1\s+\/\s/m);
    const initrd = (await readdir(join(scratch.dir, 'boot'))).find((name) => name.startsWith('initrd.img-'));
    assert.ok(initrd, 'the converted guest has an initramfs');
    const { stdout: contents } = await run('lsinitramfs', [join(scratch.dir, 'boot', initrd)], {
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.match(contents, /\/virtio_blk\.ko/);
    assert.match(contents, /\/virtio_pci\.ko/);
  });
});
