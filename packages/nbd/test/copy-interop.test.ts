import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { FileBackend, NbdClient, NbdServer, copyExtents, hashRange, loadCertificateDir } from '../src/index';
import { MiB, emptyImage, makeSparseImage, tempDir } from './disk-fixtures';
import { nbdkitToOurServer } from './copy-fixtures';
import { assertIdentical, freePort, peers, startPeer } from './peers';
import { makeTlsFixtures, type TlsFixtures } from './tls-fixtures';

// The copy engine between real servers; every copy ends with qemu-img compare.

let fx: TlsFixtures | undefined;
before(() => {
  if (peers.openssl) fx = makeTlsFixtures();
});
after(() => fx?.cleanup());

const have = peers.nbdkit && peers.qemuImg;

test(
  'copy engine: nbdkit file -> our server keeps holes sparse and sends zero blocks as WRITE_ZEROES',
  { timeout: 120_000, skip: skipUnlessPeer('nbdkit', have) },
  async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const target = join(dir, 'target.raw');
    await makeSparseImage(source, 16 * MiB, undefined, { zeroBlockAt: 10 * MiB });
    emptyImage(target, 16 * MiB);
    const { nbdkitPort: port, ourPort: ours } = await nbdkitToOurServer(t, source, target);
    const result = await copyExtents({
      source: () => NbdClient.connect(`nbd://127.0.0.1:${port}/`),
      destination: () => NbdClient.connect(`nbd://127.0.0.1:${ours}/vol-target`),
      connections: 2,
      inFlight: 4,
      requestSize: 256 * 1024,
    });
    await assertIdentical(source, target);
    const dataBytes = 256 * 1024 + 512 * 1024 + 100 * 1024 + 64 * 1024;
    assert.ok(
      result.bytesWritten >= dataBytes && result.bytesWritten < dataBytes + 2 * 256 * 1024,
      `${result.bytesWritten}`,
    );
    assert.equal(result.bytesWritten + result.bytesZeroed, 16 * MiB);
    assert.ok(statSync(target).blocks * 512 < 2 * MiB, 'the target stayed sparse');
  },
);

test(
  'copy engine: our server -> nbdkit memory, verified by hashes and qemu-img compare',
  { timeout: 120_000, skip: skipUnlessPeer('nbdkit', have) },
  async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    await makeSparseImage(source, 8 * MiB);
    const server = new NbdServer();
    const backend = await FileBackend.open(source, { readOnly: true });
    server.addExport('vol-src', backend);
    const { port: ours } = await server.listen(0, '127.0.0.1');
    t.after(async () => {
      await server.close();
      await backend.close();
    });
    const port = await freePort();
    await startPeer(
      t,
      'nbdkit',
      ['-f', '--exit-with-parent', '-i', '127.0.0.1', '-p', String(port), 'memory', '8M'],
      port,
    );
    const sourceUri = `nbd://127.0.0.1:${ours}/vol-src`;
    const targetUri = `nbd://127.0.0.1:${port}/`;
    await copyExtents({
      source: () => NbdClient.connect(sourceUri),
      destination: () => NbdClient.connect(targetUri),
      connections: 4,
      inFlight: 8,
    });
    const a = await NbdClient.connect(sourceUri);
    const b = await NbdClient.connect(targetUri);
    t.after(async () => {
      await a.close();
      await b.close();
    });
    assert.equal(await hashRange(a, 0, 8 * MiB), await hashRange(b, 0, 8 * MiB));
    await assertIdentical(source, targetUri);
  },
);

test(
  'copy engine over TLS: nbdkit with certificates -> our server with certificates',
  { timeout: 120_000, skip: skipUnlessPeer('nbdkit', have && peers.openssl) },
  async (t) => {
    const tls = fx as TlsFixtures;
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const target = join(dir, 'target.raw');
    await makeSparseImage(source, 8 * MiB);
    emptyImage(target, 8 * MiB);
    const port = await freePort();
    await startPeer(
      t,
      'nbdkit',
      [
        '-f',
        '--exit-with-parent',
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '--tls=require',
        `--tls-certificates=${tls.certDir}`,
        'file',
        source,
      ],
      port,
    );
    const server = new NbdServer({ tls: { mode: 'require', ...(await loadCertificateDir(tls.certDir, 'server')) } });
    const backend = await FileBackend.open(target);
    server.addExport('vol-target', backend);
    const { port: ours } = await server.listen(0, '127.0.0.1');
    t.after(async () => {
      await server.close();
      await backend.close();
    });
    await copyExtents({
      source: () => NbdClient.connect(`nbds://localhost:${port}/?tls-certificates=${tls.certDir}`),
      destination: () => NbdClient.connect(`nbds://localhost:${ours}/vol-target?tls-certificates=${tls.certDir}`),
      connections: 2,
      inFlight: 4,
    });
    await assertIdentical(source, target);
  },
);
