import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { FileBackend, NbdServer, type NbdServerOptions } from '../src/index';
import { MiB, emptyImage, makeSparseImage, tempDir } from './disk-fixtures';
import { assertIdentical, peers, run, runOk } from './peers';

// Our server against real clients: nbdinfo (--list, --map), nbdcopy both ways, qemu-img convert/compare,
// qemu-io read/write patterns.

async function serveFiles(
  t: TestContext,
  files: Record<string, string>,
  options: NbdServerOptions = {},
): Promise<{ server: NbdServer; port: number }> {
  const server = new NbdServer(options);
  for (const [name, path] of Object.entries(files)) {
    const backend = await FileBackend.open(path);
    server.addExport(name, backend, { description: `file ${name}` });
    t.after(() => backend.close());
  }
  const { port } = await server.listen(0, '127.0.0.1');
  t.after(() => server.close());
  return { server, port };
}

const libnbdPeers = peers.nbdinfo && peers.nbdcopy && peers.qemuImg;

test(
  'nbdinfo --list and --map see our exports and their allocation',
  { timeout: 120_000, skip: skipUnlessPeer('nbdinfo', libnbdPeers) },
  async (t) => {
    const dir = tempDir(t);
    const a = join(dir, 'a.raw');
    const b = join(dir, 'b.raw');
    await makeSparseImage(a, 8 * MiB);
    emptyImage(b, 2 * MiB);
    const { port } = await serveFiles(t, { 'vol-a': a, 'vol-b': b });
    const list = await runOk('nbdinfo', ['--list', `nbd://127.0.0.1:${port}`]);
    assert.match(list, /export="vol-a"/);
    assert.match(list, /export="vol-b"/);
    assert.match(list, /description: file vol-a/);
    assert.match(list, /export-size: 8388608/);
    const map = await runOk('nbdinfo', ['--map', `nbd://127.0.0.1:${port}/vol-a`]);
    const rows = map
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    // Rows: offset length type description; the first region holds data, a hole follows at 256 KiB.
    assert.deepEqual(rows[0]?.slice(0, 3), ['0', String(256 * 1024), '0']);
    assert.deepEqual(rows[1]?.slice(0, 3), [String(256 * 1024), String(MiB - 256 * 1024), '3']);
    const total = rows.reduce((sum, r) => sum + Number(r[1]), 0);
    assert.equal(total, 8 * MiB);
  },
);

test(
  'nbdcopy copies out of and into our server byte for byte',
  { timeout: 120_000, skip: skipUnlessPeer('nbdcopy', libnbdPeers) },
  async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const target = join(dir, 'target.raw');
    const out = join(dir, 'out.raw');
    await makeSparseImage(source, 8 * MiB, undefined, { zeroBlockAt: 5 * MiB });
    emptyImage(target, 8 * MiB);
    const { port } = await serveFiles(t, { src: source, dst: target });
    await runOk('nbdcopy', [`nbd://127.0.0.1:${port}/src`, out]);
    await assertIdentical(source, out);
    await runOk('nbdcopy', ['--flush', source, `nbd://127.0.0.1:${port}/dst`]);
    await assertIdentical(source, target);
    await assertIdentical(source, `nbd://127.0.0.1:${port}/dst`);
    // Multi-conn both ways between two exports of ours.
    emptyImage(out, 8 * MiB);
    const { port: port2 } = await serveFiles(t, { out });
    await runOk('nbdcopy', ['--connections=4', `nbd://127.0.0.1:${port}/src`, `nbd://127.0.0.1:${port2}/out`]);
    await assertIdentical(source, out);
  },
);

test(
  'qemu-img convert and compare read and write through our server',
  { timeout: 120_000, skip: skipUnlessPeer('qemu-img', peers.qemuImg) },
  async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const target = join(dir, 'target.raw');
    const qcow = join(dir, 'out.qcow2');
    await makeSparseImage(source, 8 * MiB);
    emptyImage(target, 8 * MiB);
    const { port } = await serveFiles(t, { src: source, dst: target });
    await runOk('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', `nbd://127.0.0.1:${port}/src`, qcow]);
    await assertIdentical(source, qcow, ['raw', 'qcow2']);
    await runOk('qemu-img', ['convert', '-n', '-f', 'qcow2', '-O', 'raw', qcow, `nbd://127.0.0.1:${port}/dst`]);
    await assertIdentical(source, target);
    await assertIdentical(`nbd://127.0.0.1:${port}/src`, `nbd://127.0.0.1:${port}/dst`);
    // A differing byte must make compare fail, or the checks above prove nothing.
    const fd = openSync(target, 'r+');
    writeSync(fd, Buffer.from([0x5a]), 0, 1, 7 * MiB);
    closeSync(fd);
    const differs = await run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', source, `nbd://127.0.0.1:${port}/dst`]);
    assert.equal(differs.code, 1, differs.stdout + differs.stderr);
  },
);

test(
  'qemu-io write and read patterns through our server',
  { timeout: 120_000, skip: skipUnlessPeer('qemu-io', peers.qemuIo) },
  async (t) => {
    const dir = tempDir(t);
    const disk = join(dir, 'disk.raw');
    emptyImage(disk, 4 * MiB);
    const { port } = await serveFiles(t, { disk });
    const uri = `nbd://127.0.0.1:${port}/disk`;
    const io = (...commands: string[]): Promise<string> =>
      runOk('qemu-io', ['-f', 'raw', ...commands.flatMap((c) => ['-c', c]), uri]);
    await io(
      'write -P 0xab 0 64k',
      'write -P 0xcd 1M 512k',
      'write -z 1M 4k',
      'aio_write -P 0x11 2M 64k',
      'aio_flush',
      'flush',
    );
    const out = await io(
      'read -P 0xab 0 64k',
      'read -P 0xcd 1028k 508k',
      'read -P 0 1M 4k',
      'read -P 0x11 2M 64k',
      'read -P 0 3M 64k',
    );
    assert.doesNotMatch(out, /Pattern verification failed/);
    const bad = await run('qemu-io', ['-f', 'raw', '-c', 'read -P 0xee 0 64k', uri]);
    assert.match(bad.stdout + bad.stderr, /Pattern verification failed/);
  },
);
