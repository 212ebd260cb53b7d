// Copy lanes in child processes under failure: connections cut mid-copy leave an exact durable cursor, and the
// lane processes never outlive the process that started them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { CopyInterruptedError, MemoryBackend, NbdServer, copyExtents, hashRange } from '../src/index';
import { MiB } from './disk-fixtures';
import { filledDisk, gated, until } from './lane-fixtures';

/** A TCP proxy that cuts every connection through it once `cutAfterBytes` went upstream in total (once). */
async function cuttingProxy(targetPort: number, cutAfterBytes: number) {
  let connections = 0;
  let relayed = 0;
  let armed = true;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      relayed += chunk.length;
      upstream.write(chunk);
      if (armed && relayed > cutAfterBytes) {
        armed = false;
        for (const s of sockets) s.destroy();
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
    cut: () => !armed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test(
  'lane processes: connections cut mid-copy leave an exact durable cursor; the resumed copy ends identical (sha256)',
  { timeout: 120_000 },
  async (t) => {
    const size = 48 * MiB;
    const source = await filledDisk(size);
    // Not zero: a byte the copy skipped would show in the hash.
    const target = new MemoryBackend(size);
    await target.write(0, Buffer.alloc(size, 0x5a));
    const server = new NbdServer();
    server.addExport('src', source);
    server.addExport('dst', target);
    const { port } = await server.listen(0, '127.0.0.1');
    const proxy = await cuttingProxy(port, 20 * MiB);
    t.after(async () => {
      await proxy.close();
      await server.close();
    });
    const lanes = 3;
    const options = {
      source: { nbd: { host: '127.0.0.1', port, exportName: 'src' } },
      destination: { nbd: { host: '127.0.0.1', port: proxy.port, exportName: 'dst' } },
      workers: lanes,
      connections: lanes,
      inFlight: 2,
      requestSize: 256 * 1024,
      stripeBytes: MiB,
      checkpointBytes: 2 * MiB,
    };
    const checkpoints: number[] = [];
    const error = await copyExtents({ ...options, onCheckpoint: (o) => checkpoints.push(o) }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(proxy.cut(), 'the proxy cut the connections');
    assert.ok(error instanceof CopyInterruptedError, String(error));
    assert.equal(error.code, 'MKE_NBD_CONNECTION', 'the lane error crossed the process boundary with its code');
    // One planning connection plus one per lane: the data went through several processes.
    assert.ok(proxy.connections() >= lanes + 1, `destination connections: ${proxy.connections()}`);
    const cursor = error.resumeOffset;
    assert.ok(cursor > 0 && cursor < size, `cursor ${cursor} lies inside the disk`);
    assert.equal(cursor, checkpoints[checkpoints.length - 1] ?? 0, 'the cursor is the last checkpoint reported');
    assert.equal(cursor % MiB, 0, 'the cursor is a stripe boundary');
    assert.equal(await hashRange(target, 0, cursor), await hashRange(source, 0, cursor), 'everything below is copied');
    await until(() => server.connectionCount === 0, 'the lanes closed their connections');

    const second = await copyExtents({ ...options, resumeFrom: cursor });
    assert.equal(second.bytesTotal, size - cursor, 'the resumed run copies only what lies above the cursor');
    assert.equal(second.resumeOffset, size);
    assert.equal(await hashRange(target, 0, size), await hashRange(source, 0, size));
  },
);

test('lane processes exit when the process that started them is killed', { timeout: 120_000 }, async (t) => {
  const size = 16 * MiB;
  const source = await filledDisk(size);
  const held = gated(source, 4 * MiB);
  const server = new NbdServer();
  server.addExport('src', held.backend);
  server.addExport('dst', new MemoryBackend(size));
  const { port } = await server.listen(0, '127.0.0.1');
  t.after(async () => {
    held.release();
    await server.close();
  });
  const engine = new URL('../src/index.ts', import.meta.url).href;
  const spec = (exportName: string): string => JSON.stringify({ nbd: { host: '127.0.0.1', port, exportName } });
  const script = `const { copyExtents } = await import(${JSON.stringify(engine)});
await copyExtents({ source: ${spec('src')}, destination: ${spec('dst')}, workers: 2, connections: 2, stripeBytes: 1048576 });`;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => parent.once('exit', () => resolve()));
  t.after(() => void parent.kill('SIGKILL'));
  // Two planning connections in the parent, one source and one destination connection per lane.
  await until(
    () => server.connectionCount >= 6,
    () => `lanes connected (${server.connectionCount} connections)`,
  );
  parent.kill('SIGKILL');
  await exited;
  await until(
    () => server.connectionCount === 0,
    () => `lanes exited (${server.connectionCount} connections left)`,
  );
});
