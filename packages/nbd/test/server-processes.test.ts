import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { FileBackend, NbdClient, NbdServer, loadPskFile, type NbdLogger, type NbdServerOptions } from '../src/index';
import { MiB, emptyImage, makeSparseImage, tempDir } from './disk-fixtures';
import { assertIdentical, peers, runOk } from './peers';
import { makeTlsFixtures } from './tls-fixtures';

// The server with connection processes (NbdServerOptions.connectionProcesses): negotiated plain connections
// to file exports are served by child processes. Real clients must not see a difference, connections in
// different processes must see each other's writes (multi-conn), and removing an export must reach them.

/** Counts the connections the server moved to a connection process (its debug log says so). */
function movesLogger(moved: { count: number }): NbdLogger {
  const ignore = (): void => undefined;
  return {
    debug: (_fields, message) => {
      if (message === 'nbd connection moved to a connection process') moved.count += 1;
    },
    info: ignore,
    warn: ignore,
    error: ignore,
  };
}

async function serveFiles(
  t: TestContext,
  files: Record<string, string>,
  options: NbdServerOptions = {},
  moved: { count: number } = { count: 0 },
): Promise<NbdServer> {
  const server = new NbdServer({ connectionProcesses: 2, logger: movesLogger(moved), ...options });
  for (const [name, path] of Object.entries(files)) {
    const backend = await FileBackend.open(path);
    server.addExport(name, backend, { description: `file ${name}` });
    t.after(() => backend.close());
  }
  await server.listen(0, '127.0.0.1');
  t.after(() => server.close());
  return server;
}

const libnbdPeers = peers.nbdinfo && peers.nbdcopy && peers.qemuImg;

test(
  'nbdinfo, nbdcopy (4 connections, both ways) and qemu-img compare through connection processes',
  { timeout: 180_000, skip: skipUnlessPeer('nbdinfo', libnbdPeers) },
  async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const target = join(dir, 'target.raw');
    const out = join(dir, 'out.raw');
    await makeSparseImage(source, 16 * MiB, undefined, { zeroBlockAt: 5 * MiB });
    emptyImage(target, 16 * MiB);
    const server = await serveFiles(t, { src: source, dst: target });
    const uri = `nbd://127.0.0.1:${server.port}`;
    const list = await runOk('nbdinfo', ['--list', uri]);
    assert.match(list, /export="src"/);
    assert.match(list, /export="dst"/);
    const map = await runOk('nbdinfo', ['--map', `${uri}/src`]);
    assert.match(map.trim().split('\n')[0] ?? '', /^\s*0\s+262144\s+0\s/, 'block status from the child');
    await runOk('nbdcopy', ['--connections=4', `${uri}/src`, out]);
    await assertIdentical(source, out);
    await runOk('nbdcopy', ['--connections=4', '--flush', source, `${uri}/dst`]);
    await assertIdentical(source, target);
    await assertIdentical(source, `${uri}/dst`);
  },
);

test(
  'connections in different processes see each other’s writes; FLUSH reaches the file',
  { timeout: 120_000 },
  async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'disk.raw');
    emptyImage(file, 8 * MiB);
    const moved = { count: 0 };
    const server = await serveFiles(t, { disk: file }, {}, moved);
    const connect = (): Promise<NbdClient> =>
      NbdClient.connect({ host: '127.0.0.1', port: server.port, exportName: 'disk' });
    // The least busy process gets each new connection: two connections land in two processes.
    const [a, b] = [await connect(), await connect()];
    t.after(() => Promise.all([a.close(), b.close()]).then(() => undefined));
    assert.equal(a.canMultiConn, true);
    assert.equal(moved.count, 2, 'both connections are served by connection processes');
    assert.equal(server.connectionCount, 2);
    assert.deepEqual(
      server.exports().map((e) => [e.name, e.connections]),
      [['disk', 2]],
    );
    const data = randomBytes(2 * MiB);
    await a.write(MiB, data);
    assert.deepEqual(await b.read(MiB, data.length), data, 'b reads what a wrote');
    await b.write(0, data.subarray(0, 4096), { fua: true });
    assert.deepEqual(await a.read(0, 4096), data.subarray(0, 4096));
    await a.flush();
    assert.deepEqual(readFileSync(file).subarray(MiB, MiB + data.length), data, 'the file holds the data');
    await b.writeZeroes(MiB, 64 * 1024);
    assert.deepEqual(await a.read(MiB, 64 * 1024), Buffer.alloc(64 * 1024));
  },
);

test(
  'requests sent the moment the handshake ends reach the process that serves them',
  { timeout: 120_000, skip: skipUnlessPeer('nbdcopy', libnbdPeers) },
  async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'disk.raw');
    await makeSparseImage(file, 4 * MiB);
    const server = await serveFiles(t, { disk: file });
    // A client in another process sends its first requests as soon as the final reply arrives, possibly before
    // the server process has let go of the moved socket; a request read there would be lost and the copy hang.
    for (let i = 0; i < 12; i++) await runOk('nbdcopy', [`nbd://127.0.0.1:${server.port}/disk`, 'null:'], 20_000);
  },
);

test('removing an export closes its connections in the processes; others stay', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const [one, two] = [join(dir, 'one.raw'), join(dir, 'two.raw')];
  emptyImage(one, MiB);
  emptyImage(two, MiB);
  const server = await serveFiles(t, { one, two });
  const connect = (exportName: string): Promise<NbdClient> =>
    NbdClient.connect({ host: '127.0.0.1', port: server.port, exportName });
  const a = await connect('one');
  const b = await connect('one');
  const c = await connect('two');
  t.after(() => Promise.all([a, b, c].map((x) => x.close().catch(() => undefined))).then(() => undefined));
  await a.write(0, Buffer.alloc(4096, 7));
  assert.equal(server.connectionCount, 3);
  assert.equal(await server.removeExport('one'), true);
  await assert.rejects(a.read(0, 4096), 'a connection of the removed export is closed');
  await assert.rejects(b.read(0, 4096));
  assert.deepEqual(await c.read(0, 4096), Buffer.alloc(4096), 'the other export still serves');
  assert.deepEqual(
    server.exports().map((e) => [e.name, e.connections]),
    [['two', 1]],
  );
  await assert.rejects(connect('one'), 'the removed export is gone');
  // Added again under the same name (a volume re-attached elsewhere): served from the new file.
  const backend = await FileBackend.open(two);
  t.after(() => backend.close());
  server.addExport('one', backend);
  const d = await connect('one');
  t.after(() => d.close());
  assert.deepEqual(await d.read(0, 4096), Buffer.alloc(4096));
});

test(
  'a connection that starts TLS is served in the server process and still authorized',
  { timeout: 120_000 },
  async (t) => {
    const fx = makeTlsFixtures();
    t.after(() => fx.cleanup());
    const dir = tempDir(t);
    const file = join(dir, 'disk.raw');
    emptyImage(file, MiB);
    const seen: Array<string | undefined> = [];
    const moved = { count: 0 };
    const server = await serveFiles(
      t,
      { disk: file },
      {
        tls: { mode: 'require', psk: await loadPskFile(fx.pskFile) },
        authorize: (ctx) => {
          seen.push(ctx.tlsIdentity);
          return ctx.tlsIdentity === fx.pskIdentity;
        },
      },
      moved,
    );
    const client = await NbdClient.connect({
      host: '127.0.0.1',
      port: server.port,
      exportName: 'disk',
      tls: { mode: 'require', psk: { identity: fx.pskIdentity, key: fx.pskKey } },
    });
    t.after(() => client.close());
    await client.write(0, Buffer.alloc(4096, 3));
    await client.flush();
    assert.deepEqual(readFileSync(file).subarray(0, 4096), Buffer.alloc(4096, 3));
    assert.ok(seen.includes(fx.pskIdentity));
    assert.equal(server.connectionCount, 1);
    assert.equal(moved.count, 0, 'a TLS session cannot leave this process');
  },
);
