import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { after, before, test } from 'node:test';
import { MemoryBackend, NbdClient, NbdServer, loadCertificateDir, loadPskFile, type NbdError } from '../src/index';
import { makeTlsFixtures, type TlsFixtures } from './tls-fixtures';

let fx: TlsFixtures;
before(() => {
  fx = makeTlsFixtures();
});
after(() => fx.cleanup());

async function tlsServer(mode: 'optional' | 'require', kind: 'cert' | 'psk', verifyPeer = false): Promise<NbdServer> {
  const tls =
    kind === 'cert'
      ? { mode, ...(await loadCertificateDir(fx.certDir, 'server')), verifyPeer }
      : { mode, psk: await loadPskFile(fx.pskFile) };
  const server = new NbdServer({ tls });
  server.addExport('secure', new MemoryBackend(1024 * 1024));
  await server.listen(0, '127.0.0.1');
  return server;
}

test(
  'certificates: nbds:// with tls-certificates verifies the server and carries data',
  { timeout: 120_000 },
  async () => {
    const server = await tlsServer('require', 'cert', true);
    try {
      const client = await NbdClient.connect(
        `nbds://localhost:${server.port}/secure?tls-certificates=${encodeURIComponent(fx.certDir)}`,
      );
      assert.equal(client.tls, true);
      await client.write(0, Buffer.alloc(65536, 9));
      assert.deepEqual(await client.read(0, 65536), Buffer.alloc(65536, 9));
      await client.close();
    } finally {
      await server.close();
    }
  },
);

test('certificates: a server certificate from another CA is refused', { timeout: 120_000 }, async () => {
  const server = await tlsServer('require', 'cert');
  try {
    await assert.rejects(
      NbdClient.connect(`nbds://localhost:${server.port}/secure?tls-certificates=${encodeURIComponent(fx.wrongDir)}`),
      (e: NbdError) => e.kind === 'tls',
    );
    // No CA at all: the system store does not know our test CA either.
    await assert.rejects(
      NbdClient.connect(`nbds://localhost:${server.port}/secure`),
      (e: NbdError) => e.kind === 'tls',
    );
  } finally {
    await server.close();
  }
});

test(
  'certificates: a client certificate from another CA is refused when the server verifies peers',
  { timeout: 120_000 },
  async () => {
    const server = await tlsServer('require', 'cert', true);
    try {
      const wrong = await loadCertificateDir(fx.wrongDir, 'client');
      const good = await loadCertificateDir(fx.certDir, 'client');
      await assert.rejects(
        NbdClient.connect({
          host: 'localhost',
          port: server.port,
          exportName: 'secure',
          tls: { mode: 'require', ca: good.ca, cert: wrong.cert, key: wrong.key },
        }),
      );
    } finally {
      await server.close();
    }
  },
);

test('PSK: the right key connects, a wrong key fails', { timeout: 120_000 }, async () => {
  const server = await tlsServer('require', 'psk');
  try {
    const client = await NbdClient.connect(
      `nbds://127.0.0.1:${server.port}/secure?tls-psk-file=${encodeURIComponent(fx.pskFile)}&tls-username=${fx.pskIdentity}`,
    );
    assert.equal(client.tls, true);
    await client.write(4096, Buffer.alloc(4096, 1));
    assert.deepEqual(await client.read(4096, 4096), Buffer.alloc(4096, 1));
    await client.close();
    await assert.rejects(
      NbdClient.connect({
        host: '127.0.0.1',
        port: server.port,
        exportName: 'secure',
        tls: { mode: 'require', psk: { identity: fx.pskIdentity, key: Buffer.alloc(32, 1) } },
      }),
    );
  } finally {
    await server.close();
  }
});

test(
  'plaintext is refused when the server requires TLS, accepted when TLS is optional',
  { timeout: 120_000 },
  async () => {
    const strict = await tlsServer('require', 'psk');
    const relaxed = await tlsServer('optional', 'psk');
    try {
      await assert.rejects(
        NbdClient.connect({ host: '127.0.0.1', port: strict.port, exportName: 'secure' }),
        (e: NbdError) => e.kind === 'tls',
      );
      await assert.rejects(NbdClient.list({ host: '127.0.0.1', port: strict.port }));
      const plain = await NbdClient.connect({ host: '127.0.0.1', port: relaxed.port, exportName: 'secure' });
      assert.equal(plain.tls, false);
      await plain.close();
    } finally {
      await strict.close();
      await relaxed.close();
    }
  },
);

test(
  'the authorization hook sees the TLS identity: a PSK identity opens only its own exports',
  { timeout: 120_000 },
  async () => {
    const keys = await loadPskFile(fx.pskFile);
    keys.set('agent-2', Buffer.alloc(32, 2));
    const server = new NbdServer({
      tls: { mode: 'require', psk: keys },
      authorize: ({ exportName, tlsIdentity }) => exportName === `vol-of-${tlsIdentity}`,
    });
    server.addExport(`vol-of-${fx.pskIdentity}`, new MemoryBackend(65536));
    server.addExport('vol-of-agent-2', new MemoryBackend(65536));
    await server.listen(0, '127.0.0.1');
    try {
      const tls = { mode: 'require' as const, psk: { identity: fx.pskIdentity, key: fx.pskKey } };
      const list = await NbdClient.list({ host: '127.0.0.1', port: server.port, tls });
      assert.deepEqual(
        list.map((e) => e.name),
        [`vol-of-${fx.pskIdentity}`],
      );
      await assert.rejects(
        NbdClient.connect({ host: '127.0.0.1', port: server.port, exportName: 'vol-of-agent-2', tls }),
        (e: NbdError) => e.kind === 'negotiation',
      );
      const own = await NbdClient.connect({
        host: '127.0.0.1',
        port: server.port,
        exportName: `vol-of-${fx.pskIdentity}`,
        tls,
      });
      await own.close();
    } finally {
      await server.close();
    }
  },
);

test(
  'secured transport: NBD inside a TLS session the caller opened needs no STARTTLS and keeps its identity',
  { timeout: 120_000 },
  async () => {
    const seen: Array<string | undefined> = [];
    const nbd = new NbdServer({
      tls: { mode: 'require', psk: await loadPskFile(fx.pskFile) },
      authorize: (ctx) => {
        seen.push(ctx.tlsIdentity);
        return ctx.tlsIdentity === 'outer-agent';
      },
    });
    nbd.addExport('secure', new MemoryBackend(1024 * 1024));
    // The outer TLS listener stands in for the agent port: it authenticates, then hands the session over.
    const outer = createTlsServer(await loadCertificateDir(fx.certDir, 'server'), (socket) =>
      nbd.acceptSecured(socket, 'outer-agent'),
    );
    await new Promise<void>((resolve) => outer.listen(0, '127.0.0.1', resolve));
    const port = (outer.address() as AddressInfo).port;
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(socket));
        socket.once('error', reject);
      });
    try {
      const client = await NbdClient.connect({ exportName: 'secure', securedTransport: open });
      assert.equal(client.tls, true);
      await client.write(4096, Buffer.alloc(65536, 7));
      assert.deepEqual(await client.read(4096, 65536), Buffer.alloc(65536, 7));
      await client.close();
      assert.ok(seen.length > 0 && seen.every((identity) => identity === 'outer-agent'), JSON.stringify(seen));
      // The same server still refuses a plain connection that skips TLS.
      await nbd.listen(0, '127.0.0.1');
      await assert.rejects(
        NbdClient.connect({ host: '127.0.0.1', port: nbd.port, exportName: 'secure' }),
        (e: NbdError) => e.kind === 'tls',
      );
    } finally {
      await nbd.close();
      await new Promise<void>((resolve) => outer.close(() => resolve()));
    }
  },
);

test(
  'TLS payloads are decrypted straight into request buffers on both sides, large ones sent unjoined: pipelined writes and reads of mixed sizes keep their bytes',
  { timeout: 120_000 },
  async () => {
    const image = randomBytes(1024 * 1024);
    const backend = new MemoryBackend(image.length);
    const server = new NbdServer({ tls: { mode: 'require', psk: await loadPskFile(fx.pskFile) } });
    server.addExport('secure', backend);
    await server.listen(0, '127.0.0.1');
    try {
      const tls = { mode: 'require' as const, psk: { identity: fx.pskIdentity, key: fx.pskKey } };
      const client = await NbdClient.connect({ host: '127.0.0.1', port: server.port, exportName: 'secure', tls });
      assert.equal(client.readsIntoRequestBuffers, true, 'the direct TLS read path engages on this Node version');
      assert.equal(client.writesLargePayloadsUnjoined, true, 'large TLS payloads leave unjoined on this Node version');
      // Sizes around the 16 KiB record and the 32 KiB direct-read threshold, at unaligned offsets.
      const sizes = [1, 512, 16_383, 16_384, 16_385, 32_767, 32_768, 65_537, 200_000, 524_288];
      // The server reads these WRITE payloads (the pooled ones directly), all in flight at once.
      const writes: Array<Promise<void>> = [];
      for (let at = 0, i = 0; at < image.length; i++) {
        const length = Math.min(sizes[i % sizes.length] ?? 1, image.length - at);
        writes.push(client.write(at, image.subarray(at, at + length)));
        at += length;
      }
      await Promise.all(writes);
      assert.ok((await backend.read(0, image.length)).equals(image), 'the server stored every byte written');
      const reads = Array.from({ length: 60 }, (_, i) => {
        const length = sizes[i % sizes.length] ?? 1;
        const offset = (i * 7919) % (image.length - length);
        return { offset, length, data: client.read(offset, length) };
      });
      for (const { offset, length, data } of reads)
        assert.ok((await data).equals(image.subarray(offset, offset + length)));
      const into = Buffer.alloc(300_000);
      await client.readInto(12_345, into);
      assert.ok(into.equals(image.subarray(12_345, 312_345)));
      await client.close();
    } finally {
      await server.close();
    }
  },
);
