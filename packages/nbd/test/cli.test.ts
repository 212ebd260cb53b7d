import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skipUnlessPeer } from '@migratekit/core';
import { MiB, emptyImage, makeSparseImage, tempDir } from './disk-fixtures';
import { assertIdentical, peers, run, runOk } from './peers';
import { makeTlsFixtures } from './tls-fixtures';

// The operator commands, run as a user would: by spawning bin/migratekit.mjs.

const bin = fileURLToPath(new URL('../../../bin/migratekit.mjs', import.meta.url));

/** Starts `migratekit nbd serve ...` and resolves with the URI it prints once listening. */
function serve(t: TestContext, args: string[]): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [bin, 'nbd', 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /at (nbds?:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`nbd serve exited (${code}): ${out}`)));
  });
}

test(
  'nbd serve + nbd copy between two served files, checked with nbdinfo and qemu-img compare',
  { timeout: 240_000, skip: skipUnlessPeer('qemu-img', peers.qemuImg && peers.nbdinfo) },
  async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const target = join(dir, 'target.raw');
    await makeSparseImage(source, 8 * MiB, undefined, { zeroBlockAt: 4 * MiB });
    emptyImage(target, 8 * MiB);
    const [srcUri, dstUri] = await Promise.all([
      serve(t, [source, '--export', 'vol-src', '--readonly']),
      serve(t, [target, '--export', 'vol-dst']),
    ]);
    assert.match(await runOk('nbdinfo', [srcUri]), /is_read_only: true/);
    const out = await runOk(process.execPath, [
      bin,
      'nbd',
      'copy',
      srcUri,
      dstUri,
      '--connections',
      '2',
      '--in-flight',
      '4',
      '--json',
    ]);
    const result = JSON.parse(out) as { bytesTotal: number; bytesWritten: number; bytesZeroed: number };
    assert.equal(result.bytesTotal, 8 * MiB);
    assert.ok(result.bytesZeroed > 4 * MiB);
    await assertIdentical(source, target);
    // A read-only export refuses the copy the other way round.
    const refused = await run(process.execPath, [bin, 'nbd', 'copy', dstUri, srcUri]);
    assert.notEqual(refused.code, 0);
  },
);

test(
  'nbd serve --tls-psk, copied to a local file with nbd copy over nbds://',
  { timeout: 240_000, skip: skipUnlessPeer('openssl', peers.openssl && peers.qemuImg) },
  async (t) => {
    const fx = makeTlsFixtures();
    t.after(() => fx.cleanup());
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const out = join(dir, 'out.raw');
    await makeSparseImage(source, 4 * MiB, [[MiB, 512 * 1024]]);
    emptyImage(out, 4 * MiB);
    const uri = await serve(t, [source, '--export', 'disk', '--tls-psk', fx.pskFile]);
    assert.match(uri, /^nbds:/);
    const plain = await run(process.execPath, [bin, 'nbd', 'copy', uri.replace('nbds:', 'nbd:'), out]);
    assert.notEqual(plain.code, 0, 'plaintext refused');
    const secure = `${uri}?tls-psk-file=${fx.pskFile}&tls-username=${fx.pskIdentity}`;
    const text = await runOk(process.execPath, [bin, 'nbd', 'copy', secure, out]);
    assert.match(text, /copied 4\.0 MiB/);
    await assertIdentical(source, out);
  },
);
