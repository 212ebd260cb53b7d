import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { skipUnlessPeer } from '@migratekit/core';
import type { VCenterSimulator } from '../src/index';
import { childText } from '../src/xml-node';
import { MiB, startTestSimulator, TestSoapClient } from './fixtures';

// Snapshot disks served over NBD (the nbdkit-vddk stand-in), read by libnbd's nbdcopy and nbdinfo.

const run = promisify(execFile);

async function has(cmd: string): Promise<boolean> {
  try {
    await run(cmd, ['--version']);
    return true;
  } catch {
    return false;
  }
}

const hasNbdcopy = await has('nbdcopy');
const hasNbdinfo = await has('nbdinfo');
const skip = skipUnlessPeer('nbdcopy', hasNbdcopy) || skipUnlessPeer('nbdinfo', hasNbdinfo);

let sim: VCenterSimulator;
let dataDir: string;
let cleanup: () => Promise<void>;

before(async () => {
  if (skip) return;
  ({ sim, dataDir, cleanup } = await startTestSimulator({ nbd: { port: 0 } }));
});

after(async () => {
  if (skip) return;
  await cleanup();
});

test(
  'a snapshot disk is an NBD export with its frozen content and allocation map',
  { timeout: 120_000, skip },
  async () => {
    const soap = new TestSoapClient(sim);
    await soap.login(sim);
    const vm = sim.engine.findVm('lin-01');
    assert.ok(vm);
    const info = await soap.runTask(
      'CreateSnapshot_Task',
      { type: 'VirtualMachine', value: vm.ref.value },
      '<name>nbd</name><memory>false</memory><quiesce>false</quiesce>',
    );
    const snapId = childText(info, 'result') ?? '';
    const frozen = await sim.readDisk('lin-01', 2000, 0, 8 * MiB);
    await sim.writeGuest('lin-01', 2000, 0, randomBytes(MiB)); // after the snapshot: must not show
    const uri = sim.nbd?.uri('lin-01', 'nbd', 2000) ?? '';
    assert.equal(uri, `nbd://127.0.0.1:${sim.nbd?.port}/${vm.ref.value}/${snapId}/2000`);

    const out = join(dataDir, 'copy.raw');
    await run('nbdcopy', [uri, out]);
    assert.ok((await readFile(out)).equals(frozen), 'nbdcopy reads the disk as it was at the snapshot');

    const map = JSON.parse((await run('nbdinfo', ['--map', '--json', uri])).stdout) as Array<{
      offset: number;
      length: number;
      type: number;
    }>;
    const data = map.filter((e) => (e.type & 1) === 0).map((e) => [e.offset, e.length]);
    assert.deepEqual(data, [
      [0, MiB],
      [4 * MiB, MiB],
    ]);

    await soap.runTask(
      'RemoveSnapshot_Task',
      { type: 'VirtualMachineSnapshot', value: snapId },
      '<removeChildren>false</removeChildren>',
    );
    await assert.rejects(run('nbdinfo', [uri]), 'the export goes with the snapshot');
  },
);
