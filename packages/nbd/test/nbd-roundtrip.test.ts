import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { NbdError } from '../src/index';
import { MemoryBackend, NbdClient, NbdServer } from '../src/index';

async function withServer(
  fn: (server: NbdServer, port: number) => Promise<void>,
  options: ConstructorParameters<typeof NbdServer>[0] = {},
): Promise<void> {
  const server = new NbdServer(options);
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    await fn(server, port);
  } finally {
    await server.close();
  }
}

test(
  'read, write, zero, trim, flush and block status round-trip through our client and server',
  { timeout: 120_000 },
  async () => {
    await withServer(async (server, port) => {
      const disk = new MemoryBackend(4 * 1024 * 1024);
      server.addExport('vol-a', disk, { description: 'disk a' });
      const client = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'vol-a' });
      try {
        assert.equal(client.size, 4 * 1024 * 1024);
        assert.ok(client.structuredReplies && client.canBlockStatus && client.canWriteZeroes && client.canTrim);
        assert.ok(client.canMultiConn && client.canFua && client.canFastZero && !client.readOnly);
        const data = randomBytes(300 * 1024);
        await client.write(65536, data, { fua: true });
        assert.deepEqual(await client.read(65536, data.length), data);
        assert.deepEqual(await disk.read(65536, data.length), data);
        // A hole reads as zeroes (sent as an OFFSET_HOLE chunk).
        assert.deepEqual(await client.read(2 * 1024 * 1024, 65536), Buffer.alloc(65536));
        const extents = await client.blockStatus(0, client.size);
        assert.deepEqual(extents[0], { offset: 0, length: 65536, hole: true, zero: true });
        assert.equal(extents[1]?.hole, false);
        assert.equal(extents[1]?.offset, 65536);
        await client.writeZeroes(65536, 65536);
        assert.deepEqual(await client.read(65536, 65536), Buffer.alloc(65536));
        await client.trim(131072, 65536);
        await client.flush();
        assert.ok(disk.flushes >= 1);
        const many = await Promise.all(Array.from({ length: 200 }, (_, i) => client.read(i * 4096, 4096)));
        assert.equal(many.length, 200);
      } finally {
        await client.close();
      }
    });
  },
);

test('errors come back typed with their errno name and the connection stays usable', { timeout: 120_000 }, async () => {
  await withServer(async (server, port) => {
    server.addExport('ro', new MemoryBackend(1024 * 1024, { readOnly: true }));
    server.addExport('rw', new MemoryBackend(1024 * 1024));
    const ro = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'ro' });
    const rw = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'rw' });
    try {
      assert.ok(ro.readOnly);
      await assert.rejects(ro.write(0, Buffer.alloc(512)), (e: NbdError) => e.errno === 'EPERM');
      await assert.rejects(rw.read(1024 * 1024 - 10, 20), (e: NbdError) => e.errno === 'EINVAL');
      await assert.rejects(rw.write(1024 * 1024 - 10, Buffer.alloc(20)), (e: NbdError) => e.errno === 'ENOSPC');
      assert.equal((await rw.read(0, 512)).length, 512);
    } finally {
      await ro.close();
      await rw.close();
    }
  });
});

test('simple replies work when the client does not ask for structured replies', { timeout: 120_000 }, async () => {
  await withServer(async (server, port) => {
    server.addExport('d', new MemoryBackend(1024 * 1024));
    const client = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'd', structuredReplies: false });
    try {
      assert.equal(client.structuredReplies, false);
      assert.equal(client.canBlockStatus, false);
      await client.write(0, Buffer.alloc(4096, 7));
      assert.deepEqual(await client.read(0, 4096), Buffer.alloc(4096, 7));
      assert.deepEqual(await client.blockStatus(0, 8192), [{ offset: 0, length: 8192, hole: false, zero: false }]);
    } finally {
      await client.close();
    }
  });
});

test('LIST and the authorization hook show a client only its own exports', { timeout: 120_000 }, async () => {
  await withServer(
    async (server, port) => {
      server.addExport('vol-1', new MemoryBackend(65536), { description: 'one' });
      server.addExport('vol-2', new MemoryBackend(65536));
      const list = await NbdClient.list({ host: '127.0.0.1', port });
      assert.deepEqual(list, [{ name: 'vol-1', description: 'one' }]);
      await assert.rejects(
        NbdClient.connect({ host: '127.0.0.1', port, exportName: 'vol-2' }),
        (e: NbdError) => e.kind === 'negotiation',
      );
    },
    { authorize: ({ exportName }) => exportName === 'vol-1' },
  );
});

test('removing an export closes its connections only; other exports keep serving', { timeout: 120_000 }, async () => {
  await withServer(async (server, port) => {
    server.addExport('keep', new MemoryBackend(1024 * 1024));
    server.addExport('drop', new MemoryBackend(1024 * 1024));
    const keep = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'keep' });
    const drop = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'drop' });
    try {
      await keep.write(0, Buffer.alloc(4096, 1));
      assert.equal(server.exports().find((e) => e.name === 'drop')?.connections, 1);
      assert.equal(await server.removeExport('drop'), true);
      await assert.rejects(drop.read(0, 512), (e: NbdError) => e.kind === 'connection');
      assert.deepEqual(await keep.read(0, 4096), Buffer.alloc(4096, 1));
      assert.deepEqual(
        server.exports().map((e) => e.name),
        ['keep'],
      );
      server.addExport('drop', new MemoryBackend(65536));
      const again = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'drop' });
      assert.equal(again.size, 65536);
      await again.close();
    } finally {
      await keep.close();
      await drop.close();
    }
  });
});

test('reconnect negotiates a fresh connection to the same export', { timeout: 120_000 }, async () => {
  await withServer(async (server, port) => {
    const disk = new MemoryBackend(1024 * 1024);
    server.addExport('d', disk);
    const client = await NbdClient.connect(`nbd://127.0.0.1:${port}/d`);
    try {
      await client.write(0, Buffer.alloc(512, 3));
      await server.removeExport('d');
      await assert.rejects(client.read(0, 512));
      server.addExport('d', disk);
      await client.reconnect();
      assert.deepEqual(await client.read(0, 512), Buffer.alloc(512, 3));
    } finally {
      await client.close();
    }
  });
});
