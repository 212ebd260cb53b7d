import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { MemoryBackend, NbdClient, NbdServer, type NbdBackend, type NbdError } from '../src/index';
import { until } from './lane-fixtures';
import { option, rawConnect } from './raw-nbd';

const MiB = 1024 * 1024;

test(
  'a request the server never answers times out by the injected clock and fails the connection',
  { timeout: 120_000 },
  async (t) => {
    const clock = new ManualClock();
    let release: (b: Buffer) => void = () => undefined;
    const stuck: NbdBackend = {
      size: MiB,
      readOnly: true,
      read: () => new Promise<Buffer>((resolve) => (release = resolve)),
    };
    const server = new NbdServer();
    server.addExport('stuck', stuck);
    const { port } = await server.listen(0, '127.0.0.1');
    // Unblock the backend before the server closes: close() lets requests in flight finish.
    t.after(async () => {
      release(Buffer.alloc(4096));
      await server.close();
    });
    const client = await NbdClient.connect({
      host: '127.0.0.1',
      port,
      exportName: 'stuck',
      requestTimeoutMs: 5000,
      clock,
    });
    t.after(() => client.close());
    let settled = false;
    const pending = assert
      .rejects(client.read(0, 4096), (e: NbdError) => e.kind === 'timeout')
      .finally(() => (settled = true));
    for (let i = 0; i < 100 && clock.pendingSleepers === 0; i++) await new Promise((r) => setImmediate(r));
    await clock.advance(4999);
    assert.equal(client.inFlight, 1, 'still waiting just before the deadline');
    assert.equal(settled, false);
    await clock.advance(1);
    await pending;
    await assert.rejects(client.read(0, 512), (e: NbdError) => e.kind === 'timeout');
  },
);

test(
  'a client that stalls in the handshake is dropped after the handshake timeout',
  { timeout: 120_000 },
  async (t) => {
    const clock = new ManualClock();
    const server = new NbdServer({ clock, handshakeTimeoutMs: 10_000 });
    server.addExport('vol', new MemoryBackend(MiB));
    const { port } = await server.listen(0, '127.0.0.1');
    t.after(() => server.close());
    const conn = await rawConnect(port);
    await conn.reader.read(18);
    const closed = new Promise<void>((resolve) => conn.socket.once('close', () => resolve()));
    for (let i = 0; i < 100 && clock.pendingSleepers === 0; i++) await new Promise((r) => setImmediate(r));
    await clock.advance(10_000);
    await closed;
    assert.equal(server.connectionCount, 0);
  },
);

test(
  'EXPORT_NAME fallback: size and flags without padding when NO_ZEROES was agreed',
  { timeout: 120_000 },
  async (t) => {
    const server = new NbdServer();
    server.addExport('vol', new MemoryBackend(3 * MiB));
    const { port } = await server.listen(0, '127.0.0.1');
    t.after(() => server.close());
    const conn = await rawConnect(port);
    t.after(() => conn.socket.destroy());
    const hello = await conn.reader.read(18);
    assert.equal(hello.readUInt16BE(16), 3, 'FIXED_NEWSTYLE | NO_ZEROES');
    conn.socket.write(Buffer.from([0, 0, 0, 3]));
    conn.socket.write(option(1, Buffer.from('vol')));
    const reply = await conn.reader.read(10);
    assert.equal(reply.readUInt32BE(4), 3 * MiB);
    assert.equal(reply.readUInt16BE(8) & 1, 1, 'HAS_FLAGS');
    // Unknown export via EXPORT_NAME: the server closes, as the spec requires.
    const other = await rawConnect(port);
    await other.reader.read(18);
    other.socket.write(Buffer.concat([Buffer.from([0, 0, 0, 1]), option(1, Buffer.from('nope'))]));
    await new Promise<void>((resolve) => other.socket.once('close', () => resolve()));
  },
);

test(
  'nbd+unix:// URIs reach a server on a Unix socket; block sizes are advertised',
  { timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mk-nbd-unix-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const socketPath = join(dir, 'nbd.sock');
    const server = new NbdServer({ maxPayload: 8 * MiB });
    server.addExport('vol', new MemoryBackend(2 * MiB));
    await server.listenUnix(socketPath);
    t.after(() => server.close());
    const client = await NbdClient.connect(`nbd+unix:///vol?socket=${socketPath}`);
    t.after(() => client.close());
    assert.equal(client.size, 2 * MiB);
    assert.deepEqual(client.blockSizes, { minimum: 1, preferred: 4096, maximum: 8 * MiB });
    await client.write(0, Buffer.alloc(4096, 2), { fua: true });
    assert.deepEqual(await client.read(0, 4096, { df: true }), Buffer.alloc(4096, 2));
  },
);

test(
  'payload buffers are kept for reuse while clients are connected and freed once the last one has gone',
  { timeout: 120_000 },
  async (t) => {
    const server = new NbdServer();
    server.addExport('vol', new MemoryBackend(16 * MiB));
    const { port } = await server.listen(0, '127.0.0.1');
    t.after(() => server.close());
    const clients = [
      await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'vol' }),
      await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'vol' }),
    ];
    for (const client of clients)
      await Promise.all(Array.from({ length: 8 }, (_, i) => client.write(i * MiB, Buffer.alloc(MiB, i + 1))));
    assert.ok(server.retainedBufferBytes >= MiB, `${server.retainedBufferBytes} bytes kept while connected`);
    await clients[0]?.close();
    await until(() => server.connectionCount === 1, 'the first client is gone');
    assert.ok(server.retainedBufferBytes >= MiB, 'still kept while one client is connected');
    await clients[1]?.close();
    await until(
      () => server.retainedBufferBytes === 0,
      () => `${server.retainedBufferBytes} bytes still kept`,
    );
    assert.equal(server.retainedBufferBytes, 0);
  },
);
