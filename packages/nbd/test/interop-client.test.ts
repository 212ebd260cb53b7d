import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { NbdClient, type NbdError } from '../src/index';
import { MiB, emptyImage, makeSparseImage, tempDir } from './disk-fixtures';
import { assertIdentical, freePort, peers, runOk, startPeer } from './peers';

// Our client against real servers: nbdkit (memory, file), qemu-nbd (qcow2, with and without -A),
// nbd-server (simple replies only).

const nbdkitArgs = (port: number): string[] => ['-f', '--exit-with-parent', '-i', '127.0.0.1', '-p', String(port)];

test(
  'client vs nbdkit memory: pipelined I/O, zeroes, trim, flush and sparse block status',
  { timeout: 120_000, skip: skipUnlessPeer('nbdkit', peers.nbdkit) },
  async (t) => {
    const port = await freePort();
    await startPeer(t, 'nbdkit', [...nbdkitArgs(port), 'memory', '8M'], port);
    const client = await NbdClient.connect(`nbd://127.0.0.1:${port}/`, { window: 32 });
    t.after(() => client.close());
    assert.equal(client.size, 8 * MiB);
    assert.ok(client.structuredReplies && client.canBlockStatus && client.canWriteZeroes && client.canTrim);
    const blocks = Array.from({ length: 64 }, () => randomBytes(16 * 1024));
    await Promise.all(blocks.map((b, i) => client.write(2 * MiB + i * b.length, b)));
    const back = await Promise.all(blocks.map((b, i) => client.read(2 * MiB + i * b.length, b.length)));
    back.forEach((b, i) => assert.deepEqual(b, blocks[i]));
    await client.writeZeroes(2 * MiB, 64 * 1024);
    assert.deepEqual(await client.read(2 * MiB, 64 * 1024), Buffer.alloc(64 * 1024));
    await client.trim(3 * MiB - 64 * 1024, 64 * 1024);
    await client.flush();
    const extents = await client.blockStatus(0, client.size);
    assert.equal(extents[0]?.zero, true, 'start of an untouched memory disk reads as zero');
    const data = extents.find((e) => !e.zero);
    assert.ok(data && data.offset >= 2 * MiB && data.offset < 3 * MiB, JSON.stringify(extents));
    await assert.rejects(client.read(8 * MiB - 1, 2), (e: NbdError) => e.errno === 'EINVAL');
  },
);

test(
  'client vs nbdkit file: reads match the file, holes are reported, writes land',
  { timeout: 120_000, skip: skipUnlessPeer('nbdkit', peers.nbdkit && peers.qemuImg) },
  async (t) => {
    const dir = tempDir(t);
    const image = join(dir, 'disk.raw');
    const copy = join(dir, 'copy.raw');
    await makeSparseImage(image, 8 * MiB);
    emptyImage(copy, 8 * MiB);
    const port = await freePort();
    await startPeer(t, 'nbdkit', [...nbdkitArgs(port), 'file', image], port);
    const client = await NbdClient.connect({ host: '127.0.0.1', port });
    t.after(() => client.close());
    const file = readFileSync(image);
    assert.deepEqual(await client.read(0, 4 * MiB), file.subarray(0, 4 * MiB));
    const extents = await client.blockStatus(0, client.size);
    assert.ok(
      extents.some((e) => e.hole && e.zero),
      `holes expected: ${JSON.stringify(extents)}`,
    );

    // Copy the image through the client into a second nbdkit export, then compare byte for byte.
    const port2 = await freePort();
    await startPeer(t, 'nbdkit', [...nbdkitArgs(port2), 'file', copy], port2);
    const target = await NbdClient.connect({ host: '127.0.0.1', port: port2 });
    t.after(() => target.close());
    for (let at = 0; at < client.size; at += MiB) await target.write(at, await client.read(at, MiB));
    await target.flush();
    await assertIdentical(image, copy);
  },
);

for (const allocationDepth of [false, true]) {
  test(
    `client vs qemu-nbd qcow2${allocationDepth ? ' with -A' : ''}`,
    { timeout: 120_000, skip: skipUnlessPeer('qemu-nbd', peers.qemuNbd && peers.qemuImg) },
    async (t) => {
      const dir = tempDir(t);
      const raw = join(dir, 'disk.raw');
      const qcow = join(dir, 'disk.qcow2');
      await makeSparseImage(raw, 8 * MiB);
      await runOk('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow]);
      const port = await freePort();
      const args = ['-f', 'qcow2', '-b', '127.0.0.1', '-p', String(port), '-x', 'vol', '-t'];
      if (allocationDepth) args.push('-A');
      await startPeer(t, 'qemu-nbd', [...args, qcow], port);
      const client = await NbdClient.connect(`nbd://127.0.0.1:${port}/vol`);
      t.after(() => client.close());
      assert.equal(client.size, 8 * MiB);
      assert.ok(client.canBlockStatus);
      const file = readFileSync(raw);
      const hash = createHash('sha256');
      for (let at = 0; at < client.size; at += MiB) hash.update(await client.read(at, MiB));
      assert.equal(hash.digest('hex'), createHash('sha256').update(file).digest('hex'));
      const extents = await client.blockStatus(0, client.size);
      assert.ok(extents.length > 1 && extents.some((e) => e.zero), JSON.stringify(extents));
      // Write through qemu-nbd into the qcow2 and check the image with qemu-img.
      const patch = randomBytes(64 * 1024);
      await client.write(5 * MiB, patch);
      await client.writeZeroes(0, 64 * 1024);
      await client.flush();
      file.set(patch, 5 * MiB);
      file.fill(0, 0, 64 * 1024);
      assert.deepEqual(await client.read(0, client.size), file);
      await client.close();
      await runOk('qemu-img', ['check', '-f', 'qcow2', '-U', qcow]);
    },
  );
}

test(
  'client vs nbd-server: no structured replies, simple replies only',
  { timeout: 120_000, skip: skipUnlessPeer('nbd-server', peers.nbdServer && peers.qemuImg) },
  async (t) => {
    const dir = tempDir(t);
    const image = join(dir, 'disk.raw');
    await makeSparseImage(image, 4 * MiB, [[0, 64 * 1024]]);
    const port = await freePort();
    const config = join(dir, 'nbd-server.conf');
    writeFileSync(
      config,
      `[generic]\n    listenaddr = 127.0.0.1\n    port = ${port}\n[disk]\n    exportname = ${image}\n`,
    );
    await startPeer(t, 'nbd-server', ['-C', config, '-d'], port);
    const client = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'disk' });
    t.after(() => client.close());
    assert.equal(client.structuredReplies, false);
    assert.equal(client.size, 4 * MiB);
    const data = randomBytes(128 * 1024);
    await Promise.all([client.write(MiB, data), client.read(0, 64 * 1024)]);
    assert.deepEqual(await client.read(MiB, data.length), data);
    await client.flush();
    await client.close();
    // The write went through nbd-server into the file.
    assert.deepEqual(readFileSync(image).subarray(MiB, MiB + data.length), data);
  },
);
