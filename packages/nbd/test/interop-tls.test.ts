import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import {
  FileBackend,
  MemoryBackend,
  NbdClient,
  NbdServer,
  loadCertificateDir,
  loadPskFile,
  type NbdBackend,
  type NbdError,
  type NbdServerTlsOptions,
} from '../src/index';
import { MiB, emptyImage, makeSparseImage, tempDir } from './disk-fixtures';
import { assertIdentical, freePort, peers, run, runOk, startPeer } from './peers';
import { makeTlsFixtures, type TlsFixtures } from './tls-fixtures';

// TLS both ways: our client against nbdkit, nbdinfo/nbdcopy against our server; certificates and PSK;
// plaintext refused where TLS is required; certificates from another CA refused.

let fx: TlsFixtures;
before(() => {
  if (peers.openssl) fx = makeTlsFixtures();
});
after(() => fx?.cleanup());

async function nbdkitTls(t: TestContext, tlsArgs: string[]): Promise<number> {
  const port = await freePort();
  const args = ['-f', '--exit-with-parent', '-i', '127.0.0.1', '-p', String(port), '--tls=require', ...tlsArgs];
  await startPeer(t, 'nbdkit', [...args, 'memory', '4M'], port);
  return port;
}

async function ourTlsServer(
  t: TestContext,
  tls: NbdServerTlsOptions,
  backend: NbdBackend = new MemoryBackend(4 * MiB),
): Promise<number> {
  const server = new NbdServer({ tls });
  server.addExport('secure', backend);
  const { port } = await server.listen(0, '127.0.0.1');
  t.after(() => server.close());
  return port;
}

const haveNbdkit = peers.nbdkit && peers.openssl;
const haveLibnbd = peers.nbdinfo && peers.nbdcopy && peers.openssl && peers.qemuImg;

test(
  'our client vs nbdkit with certificates (and client certificate verification)',
  { timeout: 120_000, skip: skipUnlessPeer('nbdkit', haveNbdkit) },
  async (t) => {
    const port = await nbdkitTls(t, [`--tls-certificates=${fx.certDir}`, '--tls-verify-peer']);
    const client = await NbdClient.connect(`nbds://localhost:${port}/?tls-certificates=${fx.certDir}`);
    t.after(() => client.close());
    assert.equal(client.tls, true);
    await client.write(MiB, Buffer.alloc(65536, 0x42));
    assert.deepEqual(await client.read(MiB, 65536), Buffer.alloc(65536, 0x42));
  },
);

test(
  'our client refuses an nbdkit certificate from another CA, and nbdkit refuses plaintext',
  { timeout: 120_000, skip: skipUnlessPeer('nbdkit', haveNbdkit) },
  async (t) => {
    const port = await nbdkitTls(t, [`--tls-certificates=${fx.certDir}`]);
    await assert.rejects(
      NbdClient.connect(`nbds://localhost:${port}/?tls-certificates=${fx.wrongDir}`),
      (e: NbdError) => e.kind === 'tls',
    );
    await assert.rejects(NbdClient.connect(`nbd://localhost:${port}/`), (e: NbdError) => e.kind === 'tls');
  },
);

test(
  'our client vs nbdkit with PSK; a wrong key fails',
  { timeout: 120_000, skip: skipUnlessPeer('nbdkit', haveNbdkit) },
  async (t) => {
    const port = await nbdkitTls(t, [`--tls-psk=${fx.pskFile}`]);
    const client = await NbdClient.connect(
      `nbds://127.0.0.1:${port}/?tls-psk-file=${fx.pskFile}&tls-username=${fx.pskIdentity}`,
    );
    t.after(() => client.close());
    assert.equal(client.tls, true);
    await client.write(0, Buffer.alloc(4096, 1));
    assert.deepEqual(await client.read(0, 4096), Buffer.alloc(4096, 1));
    await assert.rejects(
      NbdClient.connect({
        host: '127.0.0.1',
        port,
        tls: { mode: 'require', psk: { identity: fx.pskIdentity, key: Buffer.alloc(32, 7) } },
      }),
    );
  },
);

test(
  'nbdinfo and nbdcopy vs our server with certificates; wrong CA and plaintext refused',
  { timeout: 120_000, skip: skipUnlessPeer('nbdinfo', haveLibnbd) },
  async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const target = join(dir, 'target.raw');
    await makeSparseImage(source, 6 * MiB);
    emptyImage(target, 6 * MiB);
    const backend = await FileBackend.open(target);
    t.after(() => backend.close());
    const port = await ourTlsServer(
      t,
      { mode: 'require', ...(await loadCertificateDir(fx.certDir, 'server')), verifyPeer: true },
      backend,
    );
    const uri = `nbds://localhost:${port}/secure?tls-certificates=${fx.certDir}`;
    const info = await runOk('nbdinfo', [uri]);
    assert.match(info, /export-size: 6291456/);
    assert.match(info, /TLS/);
    await runOk('nbdcopy', ['--flush', source, uri]);
    await assertIdentical(source, target);
    const wrong = await run('nbdinfo', [`nbds://localhost:${port}/secure?tls-certificates=${fx.wrongDir}`]);
    assert.notEqual(wrong.code, 0);
    const plain = await run('nbdinfo', [`nbd://localhost:${port}/secure`]);
    assert.notEqual(plain.code, 0);
    // libnbd reports our NBD_REP_ERR_TLS_REQD as 'Operation not supported'.
    assert.match(plain.stderr, /TLS|not supported/i);
  },
);

test(
  'nbdinfo and nbdcopy vs our server with PSK',
  { timeout: 120_000, skip: skipUnlessPeer('nbdinfo', haveLibnbd) },
  async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const out = join(dir, 'out.raw');
    await makeSparseImage(source, 6 * MiB);
    const backend = await FileBackend.open(source, { readOnly: true });
    t.after(() => backend.close());
    const port = await ourTlsServer(t, { mode: 'require', psk: await loadPskFile(fx.pskFile) }, backend);
    const uri = `nbds://${fx.pskIdentity}@127.0.0.1:${port}/secure?tls-psk-file=${fx.pskFile}`;
    assert.match(await runOk('nbdinfo', [uri]), /is_read_only: true/);
    await runOk('nbdcopy', [uri, out]);
    await assertIdentical(source, out);
    const wrongKey = join(dir, 'wrong.psk');
    writeFileSync(wrongKey, `${fx.pskIdentity}:${'ab'.repeat(32)}\n`);
    const bad = await run('nbdinfo', [`nbds://${fx.pskIdentity}@127.0.0.1:${port}/secure?tls-psk-file=${wrongKey}`]);
    assert.notEqual(bad.code, 0);
  },
);
