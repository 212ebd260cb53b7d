import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import {
  CopyInterruptedError,
  MemoryBackend,
  NbdServer,
  copyExtents,
  hashRange,
  loadCertificateDir,
  loadPskFile,
  type CopyProgress,
} from '../src/index';
import { MiB, emptyImage, makeSparseImage, tempDir } from './disk-fixtures';
import { nbdkitToOurServer } from './copy-fixtures';
import { assertIdentical, peers } from './peers';
import { makeTlsFixtures } from './tls-fixtures';
import { filledDisk, gated, until } from './lane-fixtures';

// Copy lanes in child processes: each lane opens its own connections from the URIs; the main process
// plans, aggregates progress and keeps the resume cursor.

test(
  'lane processes: nbdkit file -> our server ends byte-identical (qemu-img compare), zero blocks as WRITE_ZEROES',
  { timeout: 120_000, skip: skipUnlessPeer('nbdkit', peers.nbdkit && peers.qemuImg) },
  async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.raw');
    const target = join(dir, 'target.raw');
    const size = 24 * MiB;
    const regions: Array<[number, number]> = [
      [0, 3 * MiB],
      [5 * MiB + 4096, 2 * MiB],
      [11 * MiB, 6 * MiB],
      [size - 64 * 1024, 64 * 1024],
    ];
    await makeSparseImage(source, size, regions, { zeroBlockAt: 20 * MiB });
    emptyImage(target, size);
    const { nbdkitPort: port, ourPort: ours, server } = await nbdkitToOurServer(t, source, target);
    const progress: CopyProgress[] = [];
    const checkpoints: number[] = [];
    const result = await copyExtents({
      source: { nbd: `nbd://127.0.0.1:${port}/` },
      destination: { nbd: { host: '127.0.0.1', port: ours, exportName: 'vol-target' } },
      workers: 2,
      connections: 4,
      inFlight: 4,
      requestSize: 256 * 1024,
      stripeBytes: MiB,
      checkpointBytes: 4 * MiB,
      progressIntervalMs: 0,
      onProgress: (p) => progress.push(p),
      onCheckpoint: (o) => checkpoints.push(o),
    });
    await assertIdentical(source, target);
    assert.equal(result.bytesWritten + result.bytesZeroed, size);
    const data = regions.reduce((sum, [, length]) => sum + length, 0);
    assert.ok(result.bytesWritten >= data && result.bytesWritten < data + 2 * MiB, `${result.bytesWritten}`);
    assert.equal(result.resumeOffset, size);
    assert.ok(progress.length > 2, 'progress was aggregated from the lanes');
    assert.equal(progress[progress.length - 1]?.bytesDone, size);
    for (let i = 1; i < progress.length; i++)
      assert.ok((progress[i]?.bytesDone ?? 0) >= (progress[i - 1]?.bytesDone ?? 0), 'bytesDone never goes back');
    assert.deepEqual(
      checkpoints,
      [...checkpoints].sort((a, b) => a - b),
      'the cursor only moves forward',
    );
    assert.equal(checkpoints[checkpoints.length - 1], size);
    assert.equal(server.connectionCount, 0, 'every lane connection was closed');
  },
);

test(
  'lane processes: cancellation stops the lanes, keeps a durable cursor, and a resumed run completes the disk',
  { timeout: 120_000 },
  async (t) => {
    const size = 16 * MiB;
    const source = await filledDisk(size);
    const target = new MemoryBackend(size);
    const held = gated(source, 8 * MiB);
    const server = new NbdServer();
    server.addExport('src', held.backend);
    server.addExport('dst', target);
    const { port } = await server.listen(0, '127.0.0.1');
    const controller = new AbortController();
    t.after(async () => {
      // A failed assertion must not leave the copy running against held reads.
      controller.abort(new Error('test over'));
      held.release();
      await server.close();
    });
    const spec = (exportName: string) => ({ nbd: { host: '127.0.0.1', port, exportName } });
    const checkpoints: number[] = [];
    const copying = copyExtents({
      source: spec('src'),
      destination: spec('dst'),
      workers: 2,
      connections: 2,
      inFlight: 2,
      requestSize: 512 * 1024,
      stripeBytes: MiB,
      checkpointBytes: 2 * MiB,
      signal: controller.signal,
      onCheckpoint: (o) => checkpoints.push(o),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    // Everything below the gate copies and is checkpointed; the stripes above it hang on their reads. The wait
    // is bounded, so a cursor that never gets there fails the test instead of hanging it.
    await until(
      () => checkpoints.some((o) => o >= 6 * MiB),
      () => `checkpoints reach 6 MiB (${checkpoints.join(', ')})`,
    );
    controller.abort(new Error('operator cancelled'));
    const error = await copying;
    held.release();
    assert.ok(error instanceof CopyInterruptedError, String(error));
    assert.equal(error.code, 'MKE_CANCELLED');
    assert.ok(error.resumeOffset >= 6 * MiB && error.resumeOffset <= 8 * MiB, `cursor ${error.resumeOffset}`);
    assert.equal(error.resumeOffset, checkpoints[checkpoints.length - 1]);
    assert.equal(await hashRange(target, 0, error.resumeOffset), await hashRange(source, 0, error.resumeOffset));
    await until(() => server.connectionCount === 0, 'the lanes closed their connections');

    const second = await copyExtents({
      source: spec('src'),
      destination: spec('dst'),
      workers: 2,
      connections: 2,
      requestSize: 512 * 1024,
      stripeBytes: MiB,
      resumeFrom: error.resumeOffset,
    });
    assert.equal(second.bytesTotal, size - error.resumeOffset);
    assert.equal(second.resumeOffset, size);
    assert.equal(await hashRange(target, 0, size), await hashRange(source, 0, size));
  },
);

// Regression: a CI run hung here for 8 minutes. A checkpoint that fell due while the previous checkpoint's
// FLUSH was still in flight was dropped (advance() returned early) and only re-checked on the next
// stripe-done; when the copy then stalled (here: reads above the gate), the cursor stayed behind for good and
// the cancellation test waited forever for it. Reproduced deterministically by holding the destination's
// FLUSH until every stripe below the gate is done (progress at 8 MiB): without the fix the last checkpoint
// stays at the first mark (2-4 MiB) and this test fails after its bounded wait; with it, the cursor reaches
// 8 MiB as soon as the held flush returns.
test(
  'lane processes: a checkpoint that falls due during another checkpoint flush still happens when the copy stalls',
  { timeout: 120_000 },
  async (t) => {
    const size = 16 * MiB;
    const gateAt = 8 * MiB;
    const source = await filledDisk(size);
    const target = new MemoryBackend(size);
    const held = gated(source, gateAt);
    let releaseFlush: () => void = () => undefined;
    const flushGate = new Promise<void>((resolve) => (releaseFlush = resolve));
    const flush = target.flush.bind(target);
    target.flush = async () => {
      await flushGate;
      return flush();
    };
    const server = new NbdServer();
    server.addExport('src', held.backend);
    server.addExport('dst', target);
    const { port } = await server.listen(0, '127.0.0.1');
    const controller = new AbortController();
    t.after(async () => {
      controller.abort(new Error('test over'));
      releaseFlush();
      held.release();
      await server.close();
    });
    const spec = (exportName: string) => ({ nbd: { host: '127.0.0.1', port, exportName } });
    const checkpoints: number[] = [];
    const copying = copyExtents({
      source: spec('src'),
      destination: spec('dst'),
      workers: 2,
      connections: 2,
      inFlight: 2,
      requestSize: 512 * 1024,
      stripeBytes: MiB,
      checkpointBytes: 2 * MiB,
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone >= gateAt) releaseFlush();
      },
      onCheckpoint: (o) => checkpoints.push(o),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    await until(
      () => checkpoints.includes(gateAt),
      () => `the cursor reaches the stall point (checkpoints: ${checkpoints.join(', ')})`,
    );
    controller.abort(new Error('operator cancelled'));
    const error = await copying;
    assert.ok(error instanceof CopyInterruptedError, String(error));
    assert.equal(error.resumeOffset, gateAt);
  },
);

test(
  'lane processes: a failing destination surfaces as CopyInterruptedError with the error code',
  { timeout: 120_000 },
  async (t) => {
    const size = 8 * MiB;
    const source = await filledDisk(size);
    const server = new NbdServer();
    server.addExport('src', source);
    server.addExport('dst', new MemoryBackend(4 * MiB));
    const { port } = await server.listen(0, '127.0.0.1');
    t.after(() => server.close());
    const error = await copyExtents({
      source: { nbd: `nbd://127.0.0.1:${port}/src` },
      destination: { nbd: `nbd://127.0.0.1:${port}/dst` },
      workers: 2,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error && 'code' in error && error.code === 'MKE_VALIDATION', String(error));
  },
);

test(
  'lane processes over TLS: certificate and PSK options cross to the lanes as data',
  { timeout: 120_000, skip: skipUnlessPeer('openssl', peers.openssl) },
  async (t) => {
    const fx = makeTlsFixtures();
    t.after(() => fx.cleanup());
    const size = 8 * MiB;
    const source = await filledDisk(size);
    const target = new MemoryBackend(size);
    const certServer = new NbdServer({ tls: { mode: 'require', ...(await loadCertificateDir(fx.certDir, 'server')) } });
    certServer.addExport('src', source);
    const pskServer = new NbdServer({ tls: { mode: 'require', psk: await loadPskFile(fx.pskFile) } });
    pskServer.addExport('dst', target);
    const [a, b] = [await certServer.listen(0, '127.0.0.1'), await pskServer.listen(0, '127.0.0.1')];
    t.after(async () => {
      await certServer.close();
      await pskServer.close();
    });
    const client = await loadCertificateDir(fx.certDir, 'client');
    const result = await copyExtents({
      source: {
        nbd: { host: 'localhost', port: a.port, exportName: 'src', tls: { mode: 'require', ca: client.ca } },
      },
      destination: {
        nbd: {
          host: '127.0.0.1',
          port: b.port,
          exportName: 'dst',
          tls: { mode: 'require', psk: { identity: fx.pskIdentity, key: fx.pskKey } },
        },
      },
      workers: 2,
      requestSize: MiB,
      stripeBytes: 2 * MiB,
    });
    assert.equal(result.bytesWritten, size);
    assert.equal(await hashRange(target, 0, size), await hashRange(source, 0, size));
  },
);
