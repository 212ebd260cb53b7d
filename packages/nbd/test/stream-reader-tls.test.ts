// The NBD server's reader over TLS: payloads decrypted straight into the caller's buffer (tls-direct-read.ts),
// headers and small reads through its scratch buffer, and a buffer taken back untouched when a read fails.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { loadCertificateDir } from '../src/index';
import { NbdError } from '../src/nbd-error';
import { StreamReader } from '../src/stream-reader';
import { until } from './lane-fixtures';
import { makeTlsFixtures, type TlsFixtures } from './tls-fixtures';

let fx: TlsFixtures;
before(() => {
  fx = makeTlsFixtures();
});
after(() => fx.cleanup());

/** A TLS connection whose server side a StreamReader reads; the client side is written by the test. */
async function tlsPair(): Promise<{ reader: StreamReader; client: TLSSocket; close: () => void }> {
  const accepted: TLSSocket[] = [];
  const server = createTlsServer(await loadCertificateDir(fx.certDir, 'server'), (socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const client = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await new Promise<void>((resolve) => client.once('secureConnect', () => resolve()));
  await until(() => accepted.length > 0, 'the server accepted the TLS connection');
  const serverSide = accepted[0] as TLSSocket;
  const reader = new StreamReader();
  reader.attach(serverSide);
  const close = (): void => {
    client.destroy();
    serverSide.destroy();
    server.close();
  };
  return { reader, client, close };
}

test(
  'direct TLS reads: headers and payloads of mixed sizes arrive whole and in order',
  { timeout: 60_000 },
  async () => {
    const { reader, client, close } = await tlsPair();
    try {
      assert.equal(reader.readDirectly(), true, 'the direct TLS read path engages on this Node version');
      const sizes = [0, 1, 28, 16_383, 16_384, 32_767, 32_768, 40_000, 262_144, 524_288, 1_000_003];
      const messages = sizes.map((size) => ({ header: randomBytes(28), payload: randomBytes(size) }));
      for (const m of messages) client.write(Buffer.concat([m.header, m.payload]));
      for (const m of messages) {
        assert.ok((await reader.read(28)).equals(m.header));
        const into = Buffer.alloc(m.payload.length);
        await reader.readInto(into);
        assert.ok(into.equals(m.payload), `payload of ${m.payload.length} bytes`);
      }
    } finally {
      close();
    }
  },
);

test(
  'direct TLS reads: a payload read that fails gives its buffer back, and later bytes never land in it',
  { timeout: 60_000 },
  async () => {
    const { reader, client, close } = await tlsPair();
    try {
      assert.equal(reader.readDirectly(), true);
      const target = Buffer.alloc(1024 * 1024, 0xee);
      const reading = reader.readInto(target);
      client.write(randomBytes(100_000));
      // Wait until some of it was decrypted into the buffer: it is handed to TLS from then on.
      await until(() => target[99_999] !== 0xee, 'the first bytes were decrypted into the buffer');
      reader.fail(new NbdError('connection', 'export removed'));
      await assert.rejects(reading, (e: NbdError) => e.message === 'export removed');
      const kept = Buffer.from(target);
      client.write(randomBytes(200_000));
      // The bytes after the failure are kept for whoever reads next, not decrypted into the old buffer.
      await until(
        () => reader.pending >= 200_000,
        () => `${reader.pending} bytes kept for the next read`,
      );
      assert.ok(target.equals(kept), 'nothing was decrypted into the buffer after the read failed');
    } finally {
      close();
    }
  },
);
