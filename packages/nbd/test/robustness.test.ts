import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackend, NbdClient, NbdServer } from '../src/index';
import { handshakeBytes, option, rawConnect, rawHandshake, readReply, request } from './raw-nbd';

// Fuzzing and abuse: random and truncated handshakes and requests, oversized requests, a reader that
// never drains its replies. The server must stay up, drop only the offending connection, and keep memory bounded.

const MiB = 1024 * 1024;
const EINVAL = 22;
const EOVERFLOW = 75;

/** mulberry32: a tiny seeded PRNG so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function randomBytesFrom(random: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

/** One abusive conversation, chosen by the PRNG. */
function abusiveBytes(random: () => number): Buffer {
  const valid = handshakeBytes('vol');
  const kind = Math.floor(random() * 5);
  switch (kind) {
    case 0:
      return randomBytesFrom(random, Math.floor(random() * 200));
    case 1:
      return valid.subarray(0, Math.floor(random() * valid.length));
    case 2: {
      // A valid handshake, then random bytes where requests should be.
      return Buffer.concat([valid, randomBytesFrom(random, Math.floor(random() * 100))]);
    }
    case 3: {
      // A valid handshake, then a request with random type, flags, offset and length, possibly truncated.
      const req = request(
        Math.floor(random() * 12),
        Math.floor(random() * 64),
        1,
        Math.floor(random() * 2 * MiB),
        Math.floor(random() * 4096),
      );
      return Buffer.concat([valid, req.subarray(0, 1 + Math.floor(random() * 28))]);
    }
    default: {
      // Random options during the handshake, with plausible and absurd lengths.
      const data = randomBytesFrom(random, Math.floor(random() * 40));
      const opt = option(Math.floor(random() * 16), data);
      if (random() < 0.3) opt.writeUInt32BE(Math.floor(random() * 0xffffffff), 12);
      return Buffer.concat([Buffer.from([0, 0, 0, 1]), opt]);
    }
  }
}

test(
  'thousands of random and truncated conversations: the server survives and serves its good client',
  { timeout: 120_000 },
  async (t) => {
    const server = new NbdServer({ handshakeTimeoutMs: 5000 });
    const disk = new MemoryBackend(2 * MiB);
    server.addExport('vol', disk);
    const { port } = await server.listen(0, '127.0.0.1');
    t.after(() => server.close());
    const good = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'vol' });
    t.after(() => good.close());
    await good.write(0, Buffer.alloc(4096, 0x77));

    const random = prng(0x5eed);
    const total = 2000;
    const started = Date.now();
    let launched = 0;
    let goodChecks = 0;
    const conversation = async (): Promise<void> => {
      while (launched < total && Date.now() - started < 60_000) {
        launched += 1;
        const bytes = abusiveBytes(random);
        const conn = await rawConnect(port);
        conn.socket.end(bytes);
        // The server must close: on EOF, on a protocol error, or after answering what it could.
        await new Promise<void>((resolve) => {
          if (conn.socket.closed) resolve();
          else conn.socket.once('close', () => resolve());
          conn.socket.resume();
        });
        if (launched % 100 === 0) {
          assert.deepEqual(await good.read(0, 4096), Buffer.alloc(4096, 0x77));
          goodChecks += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, conversation));
    assert.equal(launched, total, 'every conversation ran within the time bound');
    assert.ok(goodChecks >= 19);
    await until(() => server.connectionCount === 1, 'only the good client to remain');
    assert.deepEqual(await good.read(0, 4096), Buffer.alloc(4096, 0x77));
    const fresh = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'vol' });
    assert.equal(fresh.size, 2 * MiB);
    await fresh.close();
  },
);

test('oversized requests are refused as the spec says and the connection goes on', { timeout: 120_000 }, async (t) => {
  const server = new NbdServer();
  server.addExport('vol', new MemoryBackend(64 * MiB));
  const { port } = await server.listen(0, '127.0.0.1');
  t.after(() => server.close());
  const conn = await rawConnect(port);
  t.after(() => conn.socket.destroy());
  // An option whose data exceeds the limit gets ERR_TOO_BIG, and negotiation continues.
  await conn.reader.read(18);
  conn.socket.write(Buffer.from([0, 0, 0, 3]));
  conn.socket.write(option(3, Buffer.alloc(100 * 1024)));
  const tooBig = await conn.reader.read(20);
  assert.equal(tooBig.readUInt32BE(12), 0x80000009);
  await conn.reader.read(tooBig.readUInt32BE(16));
  conn.socket.write(option(8));
  await conn.reader.read(20);
  conn.socket.write(option(7, Buffer.from([0, 0, 0, 3, 0x76, 0x6f, 0x6c, 0, 0])));
  for (let done = false; !done;) {
    const head = await conn.reader.read(20);
    await conn.reader.read(head.readUInt32BE(16));
    done = head.readUInt32BE(12) === 1;
  }
  // READ beyond the 32 MiB maximum payload: EOVERFLOW (structured), so the client retries smaller.
  conn.socket.write(request(0, 0, 1, 0, 40 * MiB));
  assert.deepEqual(await readReply(conn).then((r) => [r.cookie, r.error]), [1, EOVERFLOW]);
  // WRITE beyond it: the payload is read and discarded, then EINVAL.
  conn.socket.write(Buffer.concat([request(1, 0, 2, 0, 40 * MiB), Buffer.alloc(40 * MiB, 1)]));
  assert.deepEqual(await readReply(conn).then((r) => [r.cookie, r.error]), [2, EINVAL]);
  // An unknown command and an undocumented flag: EINVAL, connection intact.
  conn.socket.write(request(42, 0, 3, 0, 0));
  assert.equal((await readReply(conn)).error, EINVAL);
  conn.socket.write(request(3, 0x8000, 4, 0, 0));
  assert.equal((await readReply(conn)).error, EINVAL);
  conn.socket.write(request(0, 0, 5, 0, 4096));
  const ok = await readReply(conn);
  assert.deepEqual([ok.cookie, ok.error], [5, 0]);
  assert.equal(server.connectionCount, 1);
});

test(
  'a client that never reads its replies cannot make the server buffer without bound',
  { timeout: 120_000 },
  async (t) => {
    const server = new NbdServer({ maxQueuedReplyBytes: 4 * MiB, maxInFlight: 16 });
    const disk = new MemoryBackend(64 * MiB);
    await disk.write(0, Buffer.alloc(64 * MiB, 0x33));
    server.addExport('vol', disk);
    const { port } = await server.listen(0, '127.0.0.1');
    t.after(() => server.close());
    const other = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'vol' });
    t.after(() => other.close());

    const conn = await rawConnect(port);
    t.after(() => conn.socket.destroy());
    await rawHandshake(conn, 'vol');
    conn.socket.pause();
    conn.reader.detach();
    const requests = 512; // 512 MiB of READ replies requested, none read yet
    for (let i = 0; i < requests; i++) conn.socket.write(request(0, 0, i, (i % 64) * MiB, MiB));
    global.gc?.();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    for (let i = 0; i < 30; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    // The other client is served meanwhile.
    assert.equal((await other.read(0, 4096))[0], 0x33);
    assert.ok(peak - baseline < 128 * MiB, `reply buffering grew by ${((peak - baseline) / MiB).toFixed(0)} MiB`);
    // Now drain: every request is answered, in full.
    conn.reader.attach(conn.socket);
    for (let i = 0; i < requests; i++) {
      const reply = await readReply(conn);
      assert.equal(reply.error, 0);
      assert.equal(reply.payload?.length, MiB + 8);
    }
  },
);
