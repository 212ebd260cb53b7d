// A disk backed by a raw image (how the dev estate serves the real Debian guest): a fresh disk starts with the
// image's bytes, its holes stay holes (allocation covers the data only), the image file is never written, and
// the random guest writes leave the disk alone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startVCenterSimulator, type InventorySpec } from '../src/index';
import { MiB } from './fixtures';

function inventory(image: string, capacityBytes: number): InventorySpec {
  return {
    datacenters: [
      {
        name: 'DC-Img',
        hosts: [{ name: 'esx-1.test' }],
        datastores: [{ name: 'DS-01', capacityGiB: 10 }],
        networks: [{ name: 'VM Network' }],
        vms: [
          {
            name: 'guest-01',
            host: 'esx-1.test',
            guest: 'linux',
            guestId: 'debian12_64Guest',
            guestFullName: 'Debian GNU/Linux 12 (64-bit)',
            disks: [{ capacityBytes, datastore: 'DS-01', image }],
            nics: [{ network: 'VM Network' }],
          },
        ],
      },
    ],
  };
}

test(
  'a disk backed by an image starts with its bytes, keeps its holes, and is spared by guest writes',
  { timeout: 60_000 },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-vcenter-image-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    // 3 MiB + 512 bytes: data at 0, a 2 MiB hole, data in the last partial block.
    const image = join(dir, 'guest.img');
    const head = randomBytes(MiB);
    const tail = randomBytes(512);
    await writeFile(image, Buffer.concat([head, Buffer.alloc(2 * MiB), tail]));
    const before = await readFile(image);
    const opts = { dataDir: join(dir, 'sim'), inventory: inventory(image, 4 * MiB), username: 'u', password: 'p' };

    const sim = await startVCenterSimulator(opts);
    try {
      assert.ok((await sim.readDisk('guest-01', 2000, 0, 3 * MiB + 512)).equals(before));
      const disk = sim.engine.findVm('guest-01')?.findDisk(2000);
      assert.deepEqual(disk?.disk.allocated.areas(), [
        { start: 0, length: MiB },
        { start: 3 * MiB, length: 512 },
      ]);
      assert.equal(await sim.guestWrites.tick(), 0, 'no random write into the guest image');
      assert.ok(
        (await sim.readDisk('guest-01', 2000, 0, 4 * MiB)).subarray(3 * MiB + 512).equals(Buffer.alloc(MiB - 512)),
      );
      // A guest write changes the disk, never the image.
      await sim.writeGuest('guest-01', 2000, 0, Buffer.alloc(512, 7));
      assert.ok((await readFile(image)).equals(before));
    } finally {
      await sim.close();
    }

    // A restart keeps the disk as the guest left it: the image is copied once, when the disk is created.
    const again = await startVCenterSimulator(opts);
    try {
      assert.ok((await again.readDisk('guest-01', 2000, 0, 512)).equals(Buffer.alloc(512, 7)));
    } finally {
      await again.close();
    }
  },
);

test('an image larger than its disk is refused at start', { timeout: 30_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sim-vcenter-image-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const image = join(dir, 'big.img');
  await writeFile(image, Buffer.alloc(2 * MiB, 1));
  await assert.rejects(
    startVCenterSimulator({
      dataDir: join(dir, 'sim'),
      inventory: inventory(image, MiB),
      username: 'u',
      password: 'p',
    }),
    /larger than its disk/,
  );
});
