// A dropped NBD connection mid-copy: the copy resumes from the engine's durable cursor (not from zero) and the
// destination ends byte-identical to the source. The drop is a real TCP proxy cutting the first connection.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { MemoryBackend, NbdClient, NbdServer, hashRange } from '@migratekit/nbd';
import { bytesBelow, copyWithResume } from './copy-with-resume';

const MiB = 1024 * 1024;

async function cuttingProxy(targetPort: number, cutAfterBytes: number) {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections += 1;
    const cut = connections === 1;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let relayed = 0;
    client.on('data', (chunk: Buffer) => {
      relayed += chunk.length;
      upstream.write(chunk);
      if (cut && relayed > cutAfterBytes) {
        client.destroy();
        upstream.destroy();
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('bytesBelow counts the part of the extents under an offset', { timeout: 120_000 }, () => {
  const ranges = [
    { offset: 0, length: 10 },
    { offset: 20, length: 10 },
  ];
  assert.equal(bytesBelow(ranges, 5), 5);
  assert.equal(bytesBelow(ranges, 25), 15);
  assert.equal(bytesBelow(ranges, 100), 20);
});

test('a connection cut mid-copy resumes from the durable cursor and converges', { timeout: 120_000 }, async (t) => {
  const size = 32 * MiB;
  const source = new MemoryBackend(size);
  await source.write(0, randomBytes(12 * MiB));
  await source.write(16 * MiB, randomBytes(8 * MiB));
  const destination = new MemoryBackend(size);
  const server = new NbdServer();
  server.addExport('vol-test', destination);
  const address = await server.listen(0, '127.0.0.1');
  t.after(() => server.close());
  const proxy = await cuttingProxy(address.port, 16 * MiB);
  t.after(() => proxy.close());

  const extents = [
    { offset: 0, length: 12 * MiB },
    { offset: 16 * MiB, length: 8 * MiB },
  ];
  const warnings: Array<Record<string, unknown>> = [];
  const result = await copyWithResume({
    diskId: 'disk-2000',
    source: () => Promise.resolve(source),
    destination: () => NbdClient.connect({ host: '127.0.0.1', port: proxy.port, exportName: 'vol-test' }),
    extents,
    destinationIsZero: true,
    signal: new AbortController().signal,
    logger: { warn: (fields) => void warnings.push(fields) },
    connections: 1,
    // At most 4 MiB in flight: when the proxy cuts at 16 MiB sent, at least 12 MiB were acknowledged.
    inFlight: 2,
    checkpointBytes: 1 * MiB,
  });
  assert.equal(result.resumes, 1);
  assert.equal(warnings.length, 1);
  assert.ok(Number(warnings[0]?.resume_from) > 0, 'resumed after a non-zero cursor');
  const total = 20 * MiB;
  // Restarting from zero would attempt 2 x total.
  assert.ok(result.bytesAttempted < total * 2, `attempted ${result.bytesAttempted} for ${total}`);
  assert.ok(proxy.connections() >= 2);
  assert.equal(await hashRange(destination, 0, size), await hashRange(source, 0, size));
});

test('a cancelled copy is not retried', { timeout: 120_000 }, async () => {
  const source = new MemoryBackend(4 * MiB);
  const destination = new MemoryBackend(4 * MiB);
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(
    copyWithResume({
      diskId: 'disk-2000',
      source: () => Promise.resolve(source),
      destination: () => Promise.resolve(destination),
      extents: [{ offset: 0, length: 4 * MiB }],
      destinationIsZero: true,
      signal: abort.signal,
      logger: { warn: () => assert.fail('no retry after a cancel') },
    }),
    { code: 'MKE_CANCELLED' },
  );
});
