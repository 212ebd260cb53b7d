import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVCenterSimulator } from '../src/index';
import { createSnapshot, powerOn, queryChangedDiskAreas, reconfigure } from '../src/vm-operations';
import { VimFault } from '../src/vim-fault';
import { MiB, smallInventory } from './fixtures';

// A restart on the same data dir keeps disks, allocation, power state, certificate; change tracking restarts.

test(
  'restart keeps disk data, allocation and power state; old change ids become stale',
  { timeout: 120_000 },
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sim-vcenter-restart-'));
    const opts = { dataDir, inventory: smallInventory, username: 'u', password: 'p' };
    try {
      const first = await startVCenterSimulator(opts);
      const vm = first.engine.findVm('lin-01');
      assert.ok(vm);
      const data = randomBytes(3000);
      await first.writeGuest('lin-01', 2000, 6 * MiB, data);
      const win = first.engine.findVm('win-01');
      assert.ok(win);
      powerOn(first.engine, win);
      reconfigure(first.engine, vm, { changeTrackingEnabled: true });
      const snap = await createSnapshot(first.engine, vm, 'before-restart', '', false);
      const oldChangeId = snap.changeIds.get(2000) ?? '';
      assert.ok(oldChangeId);
      const sha1 = first.thumbprints.sha1;
      await first.close();

      const second = await startVCenterSimulator(opts);
      try {
        assert.equal(second.thumbprints.sha1, sha1, 'same certificate');
        assert.ok((await second.readDisk('lin-01', 2000, 6 * MiB, 3000)).equals(data));
        const disk = second.engine.findVm('lin-01')?.findDisk(2000);
        assert.deepEqual(disk?.disk.allocated.areas(), [
          { start: 0, length: MiB },
          { start: 4 * MiB, length: MiB },
          { start: 6 * MiB, length: 3072 },
        ]);
        assert.equal(second.engine.findVm('win-01')?.powerState, 'poweredOn');
        const vm2 = second.engine.findVm('lin-01');
        assert.ok(vm2);
        assert.equal(vm2.cbtEnabled, true);
        assert.equal(vm2.snapshots.length, 0, 'snapshots do not survive a restart');
        const files = await readdir(join(dataDir, 'datastores', 'DS-01', 'lin-01'));
        assert.deepEqual(files.sort(), ['lin-01-flat.vmdk', 'lin-01_1-flat.vmdk'], 'no snapshot layer left behind');
        const snap2 = await createSnapshot(second.engine, vm2, 'after-restart', '', false);
        assert.notEqual(snap2.ref.value, snap.ref.value, 'managed object ids are not reused');
        assert.throws(
          () =>
            queryChangedDiskAreas(second.engine, vm2, {
              snapshot: snap2,
              deviceKey: 2000,
              startOffset: 0,
              changeId: oldChangeId,
            }),
          (err: unknown) => err instanceof VimFault && err.faultType === 'FileFault',
        );
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);
