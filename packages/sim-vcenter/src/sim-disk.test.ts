import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COW_BLOCK, SimDisk } from './sim-disk';

// Copy-on-write layers checked against a plain in-memory model of every snapshot's content.

test(
  'SimDisk: each frozen layer keeps its content through writes, and through removal of other layers',
  { timeout: 120_000 },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-disk-'));
    const size = 16 * COW_BLOCK + 512; // a partial last block
    const disk = new SimDisk({ path: join(dir, 'd-flat.vmdk'), capacity: size });
    try {
      assert.equal(await disk.open(), true);
      const model = Buffer.alloc(size);
      const write = async (): Promise<void> => {
        const len = 1 + randomInt(3 * COW_BLOCK);
        const offset = randomInt(size - len + 1);
        const data = randomBytes(len);
        await disk.write(offset, data);
        data.copy(model, offset);
      };
      const frozen = new Map<string, Buffer>();
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 6; i++) await write();
        const id = `snap-${round}`;
        await disk.freeze(id, join(dir, `${id}.cow`), false);
        frozen.set(id, Buffer.from(model));
      }
      for (let i = 0; i < 6; i++) await write();
      assert.ok((await disk.read(0, size)).equals(model));
      for (const [id, content] of frozen) assert.ok((await disk.readLayer(id, 0, size)).equals(content), id);

      // Drop a middle layer and the newest: the others still read as they were.
      await disk.dropLayer('snap-2');
      frozen.delete('snap-2');
      for (let i = 0; i < 4; i++) await write();
      await disk.dropLayer('snap-3');
      frozen.delete('snap-3');
      for (let i = 0; i < 4; i++) await write();
      for (const [id, content] of frozen) assert.ok((await disk.readLayer(id, 0, size)).equals(content), id);
      assert.deepEqual(disk.layerIds, ['snap-0', 'snap-1']);
      assert.ok(
        (await disk.readLayer('snap-1', size - 700, 700)).equals(
          frozen.get('snap-1')?.subarray(size - 700) ?? Buffer.alloc(0),
        ),
      );

      await assert.rejects(disk.readLayer('snap-0', size - 10, 20), RangeError);
      await assert.rejects(disk.write(size, Buffer.alloc(1)), RangeError);
      await assert.rejects(disk.readLayer('snap-9', 0, 1), /no frozen layer/);
    } finally {
      await disk.close();
      assert.deepEqual((await readdir(dir)).sort(), ['d-flat.vmdk'], 'layer files are removed');
      await rm(dir, { recursive: true, force: true });
    }
  },
);
