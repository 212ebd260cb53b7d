import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, isMigrateKitError } from '@migratekit/core';
import { DeviceResolver, type DeviceFs } from './device-resolver';

const VOLUME = '4f2a9c1e-0b3d-4e5f-8a7b-9c0d1e2f3a4b';
const LINK = '/dev/disk/by-id/virtio-4f2a9c1e0b3d4e5f8a7b';

function fakeFs(links: Map<string, string>): DeviceFs & { calls: number } {
  const fs = {
    calls: 0,
    realpath: (path: string): Promise<string> => {
      fs.calls++;
      const target = links.get(path);
      if (target !== undefined) return Promise.resolve(target);
      return Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }));
    },
  };
  return fs;
}

function resolver(fs: DeviceFs, clock: ManualClock): DeviceResolver {
  return new DeviceResolver({ fs, clock, byIdDir: '/dev/disk/by-id', timeoutMs: 1_000, pollIntervalMs: 100 });
}

test(
  'waitFor resolves the by-id link of the serial once it appears, polling on the injected clock',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    const links = new Map<string, string>();
    const fs = fakeFs(links);
    let resolved = false;
    const waiting = resolver(fs, clock)
      .waitFor(VOLUME)
      .finally(() => (resolved = true));
    await clock.advance(100);
    await clock.advance(100);
    assert.equal(resolved, false);
    links.set(LINK, '/dev/vdc');
    for (let i = 0; i < 50 && !resolved; i++) await clock.advance(100);
    assert.deepEqual(await waiting, { persistentName: LINK, devicePath: '/dev/vdc' });
    assert.ok(fs.calls >= 2, 'it polled until the link appeared');
  },
);

test(
  'waitFor ends with MKE_VOLUME_DEVICE_TIMEOUT when the link never appears (no guessing by /dev/vdX)',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    // Another disk appearing meanwhile must not be mistaken for ours.
    const fs = fakeFs(new Map([['/dev/disk/by-id/virtio-ffffffffffffffffffff', '/dev/vdb']]));
    const waiting = resolver(fs, clock).waitFor(VOLUME);
    let settled = false;
    const outcome = waiting.then(
      () => undefined,
      (error: unknown) => error,
    );
    void outcome.finally(() => (settled = true));
    for (let i = 0; i < 100 && !settled; i++) await clock.advance(100);
    assert.ok(clock.now().getTime() - Date.parse('2026-01-01T00:00:00.000Z') >= 1_000, 'it waited the whole bound');
    const error = await outcome;
    assert.ok(isMigrateKitError(error));
    assert.equal(error.code, 'MKE_VOLUME_DEVICE_TIMEOUT');
    assert.equal(error.details?.by_id_path, LINK);
  },
);

test('other fs errors are not mistaken for a missing link', { timeout: 120_000 }, async () => {
  const clock = new ManualClock();
  const fs: DeviceFs = {
    realpath: () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })),
  };
  await assert.rejects(resolver(fs, clock).current(VOLUME), /EACCES/);
});
