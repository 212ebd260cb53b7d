import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileBackend, seekSupported, type NbdError } from '../src/index';

test('FileBackend reads, writes, and reports allocation from SEEK_DATA/SEEK_HOLE', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mk-nbd-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'disk.img');
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
