import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileBackend, seekSupported, type NbdError } from '../src/index';
import { InlineReadGate, POOLED_READS_AFTER_SLOW, SLOW_READS_IN_A_ROW } from '../src/inline-reads';
import { tempDir } from './disk-fixtures';

test('FileBackend reads, writes, and reports allocation from SEEK_DATA/SEEK_HOLE', { timeout: 120_000 }, async (t) => {
  const path = join(tempDir(t, 'mk-nbd-file-'), 'disk.img');
  writeFileSync(path, '');
  truncateSync(path, 8 * 1024 * 1024);
  const data = randomBytes(1024 * 1024);
  const fh = await open(path, 'r+');
  await fh.write(data, 0, data.length, 4 * 1024 * 1024);
  await fh.close();

  const backend = await FileBackend.open(path);
  try {
    assert.equal(backend.size, 8 * 1024 * 1024);
    assert.deepEqual(await backend.read(4 * 1024 * 1024, data.length), data);
    assert.equal(seekSupported(), true, 'the fs-ext addon must load here');
    const extents = await backend.blockStatus(0, backend.size);
    assert.deepEqual(extents, [
      { offset: 0, length: 4 * 1024 * 1024, hole: true, zero: true },
      { offset: 4 * 1024 * 1024, length: 1024 * 1024, hole: false, zero: false },
      { offset: 5 * 1024 * 1024, length: 3 * 1024 * 1024, hole: true, zero: true },
    ]);
    // Zeroing a hole allocates nothing; FAST_ZERO over data is refused as the spec allows.
    const before = statSync(path).blocks;
    await backend.writeZeroes(0, 2 * 1024 * 1024, { fua: false, noHole: false, fastZero: false });
    assert.equal(statSync(path).blocks, before);
    await assert.rejects(
      backend.writeZeroes(4 * 1024 * 1024, 4096, { fua: false, noHole: false, fastZero: true }),
      (e: NbdError) => e.errno === 'ENOTSUP',
    );
    await backend.writeZeroes(4 * 1024 * 1024, 4096, { fua: true, noHole: false, fastZero: false });
    assert.deepEqual(await backend.read(4 * 1024 * 1024, 4096), Buffer.alloc(4096));
    await backend.write(0, Buffer.alloc(512, 5), { fua: true });
    assert.deepEqual(await backend.read(0, 512), Buffer.alloc(512, 5));
    await assert.rejects(
      backend.write(backend.size - 1, Buffer.alloc(2), { fua: false }),
      (e: NbdError) => e.errno === 'ENOSPC',
    );
  } finally {
    await backend.close();
  }
});

test(
  'InlineReadGate sends reads to the thread pool only after several slow reads in a row',
  { timeout: 10_000 },
  () => {
    const gate = new InlineReadGate(true);
    const cached = 60_000n; // a 256 KiB page-cache copy
    const fromDevice = 5_000_000n;
    const bytes = 256 * 1024;
    assert.equal(gate.inline(), true);
    // A preempted cached read is slow once, then reads are fast again: no switch.
    gate.record(bytes, fromDevice);
    gate.record(bytes, cached);
    for (let i = 1; i < SLOW_READS_IN_A_ROW; i++) gate.record(bytes, fromDevice);
    assert.equal(gate.inline(), true);
    assert.equal(gate.timesPooled, 0);
    gate.record(bytes, fromDevice);
    assert.equal(gate.timesPooled, 1);
    for (let i = 0; i < POOLED_READS_AFTER_SLOW; i++) assert.equal(gate.inline(), false, `read ${i} goes to the pool`);
    assert.equal(gate.inline(), true, 'inline reads are tried again');
    // A large cached read is allowed time in proportion to its size.
    for (let i = 0; i < SLOW_READS_IN_A_ROW; i++) gate.record(32 * 1024 * 1024, 20_000_000n);
    assert.equal(gate.timesPooled, 1);
    assert.equal(new InlineReadGate(false).inline(), false);
  },
);

test(
  'FileBackend returns the same bytes from inline and thread-pool reads, before and after a switch',
  { timeout: 60_000 },
  async (t) => {
    const path = join(tempDir(t, 'mk-nbd-inline-'), 'disk.img');
    const data = randomBytes(3 * 1024 * 1024 + 512);
    writeFileSync(path, data);
    const inline = await FileBackend.open(path, { readOnly: true });
    const pooled = await FileBackend.open(path, { readOnly: true, inlineReads: false });
    t.after(async () => {
      await inline.close();
      await pooled.close();
    });
    for (const [offset, length] of [
      [0, 256 * 1024],
      [1024 * 1024 + 7, 1024 * 1024],
      [data.length - 4096, 4096],
    ] as const) {
      const expected = data.subarray(offset, offset + length);
      assert.deepEqual(await inline.read(offset, length), expected);
      assert.deepEqual(await pooled.read(offset, length), expected);
    }
    // Slow reads switch the backend to the pool mid-stream; reads stay exact on both sides of the switch.
    for (let i = 0; i < SLOW_READS_IN_A_ROW; i++) inline.reads.record(4096, 1_000_000_000n);
    assert.equal(inline.reads.timesPooled, 1);
    assert.deepEqual(await inline.read(512, 8192), data.subarray(512, 512 + 8192));
    await assert.rejects(inline.read(data.length - 1, 2), (e: NbdError) => e.errno === 'EINVAL');
  },
);
