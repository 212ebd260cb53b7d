import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import {
  CopyInterruptedError,
  MemoryBackend,
  NbdClient,
  NbdServer,
  copyExtents,
  defaultCopyConnections,
  hashRange,
  type CopyProgress,
  type NbdBackend,
} from '../src/index';

const MiB = 1024 * 1024;

async function filledDisk(size: number, regions: Array<[number, number]>): Promise<MemoryBackend> {
  const disk = new MemoryBackend(size);
  for (const [offset, length] of regions) await disk.write(offset, randomBytes(length));
  return disk;
}

/** Counts what reaches the destination, by kind. */
class CountingBackend implements NbdBackend {
  writes = 0;
  zeroes = 0;
  constructor(readonly inner: MemoryBackend) {}
  get size(): number {
    return this.inner.size;
  }
  readonly readOnly = false;
  read(offset: number, length: number): Promise<Buffer> {
    return this.inner.read(offset, length);
  }
  write(offset: number, data: Buffer): Promise<void> {
    this.writes += data.length;
    return this.inner.write(offset, data);
  }
  writeZeroes(offset: number, length: number, o: { noHole: boolean }): Promise<void> {
    this.zeroes += length;
    return this.inner.writeZeroes(offset, length, o);
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
}

test(
  'in-process copy: block status skips holes, zero blocks become WRITE_ZEROES, hashes match',
  { timeout: 120_000 },
  async () => {
    const source = await filledDisk(16 * MiB, [
      [0, MiB],
      [5 * MiB, 3 * MiB],
    ]);
    await source.write(9 * MiB, Buffer.alloc(2 * MiB)); // allocated but zero
    const target = new CountingBackend(new MemoryBackend(16 * MiB));
    const result = await copyExtents({ source, destination: target, connections: 2, inFlight: 4, requestSize: MiB });
    assert.equal(await hashRange(target, 0, 16 * MiB), await hashRange(source, 0, 16 * MiB));
    assert.equal(target.writes, 4 * MiB, 'only the data regions are written');
    assert.equal(result.bytesWritten, 4 * MiB);
    assert.equal(result.bytesZeroed, 12 * MiB);
    assert.equal(target.zeroes, 12 * MiB);
    assert.equal(result.resumeOffset, 16 * MiB);
  },
);

test('copy of an explicit extent list (changed blocks) writes only those ranges', { timeout: 120_000 }, async () => {
  const source = await filledDisk(8 * MiB, [[0, 8 * MiB]]);
  const target = new CountingBackend(new MemoryBackend(8 * MiB));
  const extents = [
    { offset: 3 * MiB, length: 4096 },
    { offset: MiB, length: 65536 },
    { offset: MiB + 32768, length: 65536 }, // overlaps the previous: merged
  ];
  const result = await copyExtents({ source, destination: target, extents, connections: 1, inFlight: 2 });
  assert.equal(result.bytesTotal, 4096 + 98304);
  assert.equal(target.writes, 4096 + 98304);
  assert.deepEqual(await target.read(MiB, 98304), await source.read(MiB, 98304));
  assert.deepEqual(await target.read(3 * MiB, 4096), await source.read(3 * MiB, 4096));
  assert.deepEqual(await target.read(0, 4096), Buffer.alloc(4096));
});

test('progress comes from the injected clock: rates, peak and ETA', { timeout: 120_000 }, async () => {
  const clock = new ManualClock();
  const inner = await filledDisk(8 * MiB, [[0, 8 * MiB]]);
  // Each 1 MiB read "takes" 100 ms of manual time: 10 MiB/s.
  const source: NbdBackend = {
    size: inner.size,
    readOnly: true,
    read: async (offset, length) => {
      void clock.advance(100);
      return inner.read(offset, length);
    },
  };
  const seen: CopyProgress[] = [];
  await copyExtents({
    source,
    destination: new MemoryBackend(8 * MiB),
    connections: 1,
    inFlight: 1,
    requestSize: MiB,
    clock,
    progressIntervalMs: 200,
    onProgress: (p) => seen.push(p),
  });
  const last = seen[seen.length - 1] as CopyProgress;
  assert.equal(last.bytesDone, 8 * MiB);
  assert.equal(last.bytesTotal, 8 * MiB);
  assert.equal(last.etaSeconds, 0);
  assert.ok(Math.abs(last.averageBps - 10 * MiB) < 1, `average ${last.averageBps}`);
  assert.ok(Math.abs(last.peakBps - 10 * MiB) < 1, `peak ${last.peakBps}`);
  // Reports every 200 ms of clock time: after 1, 3, 5 and 7 MiB, then the final one.
  assert.deepEqual(
    seen.map((p) => p.bytesDone / MiB),
    [1, 3, 5, 7, 8],
  );
  const middle = seen[1] as CopyProgress;
  assert.ok(Math.abs((middle.etaSeconds ?? 0) - 0.5) < 0.01, `eta ${middle.etaSeconds}`);
  assert.ok(Math.abs(middle.currentBps - 10 * MiB) < 1, `current ${middle.currentBps}`);
});

test(
  'a dropped connection stops the copy with a durable resume cursor; a second run completes it',
  { timeout: 120_000 },
  async (t) => {
    const server = new NbdServer();
    const source = await filledDisk(24 * MiB, [[0, 24 * MiB]]);
    const target = new MemoryBackend(24 * MiB);
    let written = 0;
    let dropped = false;
    const dropping: NbdBackend = {
      size: target.size,
      readOnly: false,
      read: (o, l) => target.read(o, l),
      write: async (o, d) => {
        await target.write(o, d);
        written += d.length;
        // Drop every connection to the export once 10 MiB have arrived.
        if (written >= 10 * MiB && !dropped) {
          dropped = true;
          setImmediate(() => void server.removeExport('dst'));
        }
      },
      flush: () => target.flush(),
    };
    server.addExport('src', source);
    server.addExport('dst', dropping);
    const { port } = await server.listen(0, '127.0.0.1');
    t.after(() => server.close());
    const open = (name: string) => () => NbdClient.connect({ host: '127.0.0.1', port, exportName: name });
    const checkpoints: number[] = [];
    const first = await copyExtents({
      source: open('src'),
      destination: open('dst'),
      connections: 2,
      inFlight: 4,
      requestSize: MiB,
      checkpointBytes: 2 * MiB,
      onCheckpoint: (o) => checkpoints.push(o),
    }).then(
      () => assert.fail('the copy should have been interrupted'),
      (error: unknown) => error,
    );
    assert.ok(first instanceof CopyInterruptedError, String(first));
    assert.equal(first.code, 'MKE_NBD_CONNECTION');
    assert.ok(first.resumeOffset > 0 && first.resumeOffset < 24 * MiB, `cursor ${first.resumeOffset}`);
    assert.equal(first.resumeOffset, checkpoints[checkpoints.length - 1]);
    // Everything below the cursor really is on the destination.
    assert.equal(await hashRange(target, 0, first.resumeOffset), await hashRange(source, 0, first.resumeOffset));

    server.addExport('dst', target);
    const before = target.flushes;
    const second = await copyExtents({
      source: open('src'),
      destination: open('dst'),
      connections: 2,
      inFlight: 4,
      requestSize: MiB,
      resumeFrom: first.resumeOffset,
    });
    assert.equal(second.bytesTotal, 24 * MiB - first.resumeOffset);
    assert.ok(target.flushes > before);
    const client = await NbdClient.connect({ host: '127.0.0.1', port, exportName: 'dst' });
    t.after(() => client.close());
    assert.equal(await hashRange(client, 0, 24 * MiB), await hashRange(source, 0, 24 * MiB));
  },
);

test('cancellation by AbortSignal stops issuing work and reports the cursor', { timeout: 120_000 }, async () => {
  const source = await filledDisk(32 * MiB, [[0, 32 * MiB]]);
  const target = new CountingBackend(new MemoryBackend(32 * MiB));
  const controller = new AbortController();
  let reads = 0;
  const slow: NbdBackend = {
    size: source.size,
    readOnly: true,
    read: (o, l) => {
      reads += 1;
      if (reads === 5) controller.abort(new Error('operator cancelled'));
      return source.read(o, l);
    },
  };
  const error = await copyExtents({
    source: slow,
    destination: target,
    connections: 1,
    inFlight: 2,
    requestSize: MiB,
    signal: controller.signal,
  }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof CopyInterruptedError);
  assert.equal(error.code, 'MKE_CANCELLED');
  assert.equal(error.resumeOffset, 0, 'no checkpoint was reached');
  assert.ok(reads <= 7, `stopped issuing after the abort (${reads} reads)`);
  assert.ok(target.writes < 32 * MiB);
});

// Regression (same race as the worker lanes' in copy-workers.test.ts): a checkpoint due while the previous
// checkpoint's FLUSH was in flight was only re-checked when the next item completed, so a copy that stalled
// kept a cursor far behind what it had written. The destination's FLUSH is held until every item below the
// stall point is done; without the fix the cursor stays at the first mark.
test(
  'a checkpoint that falls due during another checkpoint flush still happens when the copy stalls',
  { timeout: 120_000 },
  async (t) => {
    const size = 16 * MiB;
    const stallAt = 8 * MiB;
    const source = await filledDisk(size, [[0, size]]);
    let releaseRead: () => void = () => undefined;
    const readGate = new Promise<void>((resolve) => (releaseRead = resolve));
    const stalling: NbdBackend = {
      size,
      readOnly: true,
      read: async (o, l) => {
        if (o + l > stallAt) await readGate;
        return source.read(o, l);
      },
    };
    let releaseFlush: () => void = () => undefined;
    const flushGate = new Promise<void>((resolve) => (releaseFlush = resolve));
    const target = new MemoryBackend(size);
    const flush = target.flush.bind(target);
    target.flush = async () => {
      await flushGate;
      return flush();
    };
    const controller = new AbortController();
    t.after(() => {
      controller.abort(new Error('test over'));
      releaseFlush();
      releaseRead();
    });
    const checkpoints: number[] = [];
    const copying = copyExtents({
      source: stalling,
      destination: target,
      connections: 1,
      inFlight: 2,
      requestSize: MiB,
      checkpointBytes: 2 * MiB,
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone >= stallAt) releaseFlush();
      },
      onCheckpoint: (o) => checkpoints.push(o),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    const deadline = Date.now() + 30_000;
    while (!checkpoints.includes(stallAt) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(
      checkpoints.includes(stallAt),
      `the cursor reaches the stall point (checkpoints: ${checkpoints.join(', ')})`,
    );
    controller.abort(new Error('operator cancelled'));
    releaseRead();
    const error = await copying;
    assert.ok(error instanceof CopyInterruptedError, String(error));
    assert.equal(error.resumeOffset, stallAt);
  },
);

test(
  'a zero destination skips zero ranges; a destination without WRITE_ZEROES gets zero buffers',
  { timeout: 120_000 },
  async () => {
    const source = await filledDisk(8 * MiB, [[MiB, MiB]]);
    await source.write(4 * MiB, Buffer.alloc(MiB)); // allocated zeroes: detected after reading
    const skipped = new CountingBackend(new MemoryBackend(8 * MiB));
    const r1 = await copyExtents({ source, destination: skipped, destinationIsZero: true, connections: 1 });
    assert.equal(skipped.zeroes, 0);
    assert.equal(skipped.writes, MiB);
    assert.equal(r1.bytesZeroed, 7 * MiB);
    const plain = new MemoryBackend(8 * MiB);
    await plain.write(0, Buffer.alloc(8 * MiB, 0xff)); // old contents that must be overwritten with zeroes
    const noZero: NbdBackend = {
      size: plain.size,
      readOnly: false,
      read: (o, l) => plain.read(o, l),
      write: (o, d) => plain.write(o, d),
    };
    await copyExtents({ source, destination: noZero, connections: 1, requestSize: MiB });
    assert.equal(await hashRange(plain, 0, 8 * MiB), await hashRange(source, 0, 8 * MiB));
  },
);

test(
  'reused read buffers: a hole reply between data reads is zeroed, not left with the previous data',
  { timeout: 120_000 },
  async (t) => {
    // One lane with one request in flight reuses a single buffer; our server answers the all-zero range with
    // OFFSET_HOLE, so the client must clear that part of the reused buffer itself.
    const size = 3 * MiB;
    const source = new MemoryBackend(size);
    await source.write(0, randomBytes(MiB));
    await source.write(2 * MiB, randomBytes(MiB));
    const target = new MemoryBackend(size);
    await target.write(0, randomBytes(size));
    const server = new NbdServer();
    server.addExport('src', source);
    server.addExport('dst', target);
    const { port } = await server.listen(0, '127.0.0.1');
    t.after(() => server.close());
    const open = (name: string) => () => NbdClient.connect({ host: '127.0.0.1', port, exportName: name });
    const result = await copyExtents({
      source: open('src'),
      destination: open('dst'),
      extents: [{ offset: 0, length: size }],
      connections: 1,
      inFlight: 1,
      requestSize: MiB,
    });
    assert.equal(result.bytesWritten, 2 * MiB);
    assert.equal(result.bytesZeroed, MiB);
    assert.equal(await hashRange(target, 0, size), await hashRange(source, 0, size));
  },
);

test('by default a copy opens one connection per side for each process that copies', { timeout: 120_000 }, async () => {
  assert.equal(defaultCopyConnections(0), 1);
  assert.equal(defaultCopyConnections(3), 3);
  // Each connection asks for the export once or more (INFO, GO): count distinct client ports.
  const peers = { source: new Set<string>(), destination: new Set<string>() };
  const serve = async (role: 'source' | 'destination', disk: MemoryBackend): Promise<NbdServer> => {
    const server = new NbdServer({
      authorize: ({ peer }) => {
        peers[role].add(peer);
        return true;
      },
    });
    server.addExport('d', disk);
    await server.listen(0, '127.0.0.1');
    return server;
  };
  const src = await serve('source', await filledDisk(8 * MiB, [[0, 8 * MiB]]));
  const dst = await serve('destination', new MemoryBackend(8 * MiB));
  try {
    await copyExtents({
      source: { nbd: `nbd://127.0.0.1:${src.port}/d` },
      destination: { nbd: `nbd://127.0.0.1:${dst.port}/d` },
      workers: 0,
    });
    assert.deepEqual([peers.source.size, peers.destination.size], [1, 1]);
  } finally {
    await src.close();
    await dst.close();
  }
});
