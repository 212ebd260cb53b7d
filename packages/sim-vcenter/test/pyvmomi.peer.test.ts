import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { skipUnlessPeer } from '@migratekit/core';
import type { InventorySpec, VCenterSimulator } from '../src/index';
import { MiB, smallInventory, startTestSimulator } from './fixtures';

// VMware's Python SDK (Debian's python3-pyvmomi 6.7) against the simulator: it negotiates API 6.7.1 from
// vimServiceVersions.xml and refuses any property that version does not define, so it proves the
// version-aware encoding as well as the methods (scripts in test/pyvmomi/).

const SCRIPTS = join(import.meta.dirname, 'pyvmomi');

function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(candidate, ['-c', 'import pyVmomi'], { stdio: 'ignore', timeout: 10_000 });
      return candidate;
    } catch {
      // not this interpreter: try the next
    }
  }
  return undefined;
}

const python = findPython();
const skip = skipUnlessPeer('python3-pyvmomi', python !== undefined);

// The test estate plus a running VM without VMware Tools (ShutdownGuest must fault with ToolsUnavailable).
const inventory: InventorySpec = structuredClone(smallInventory);
inventory.datacenters[0]?.vms.push({
  name: 'notools-01',
  host: 'esx-a2.test',
  guest: 'linux',
  guestId: 'centos7_64Guest',
  guestFullName: 'CentOS 7 (64-bit)',
  tools: 'toolsNotInstalled',
  disks: [{ capacityBytes: MiB, datastore: 'DS-01' }],
  nics: [{ network: 'VLAN 253 - DMZ' }],
});

let sim: VCenterSimulator;
let cleanup: () => Promise<void>;

interface PythonRun {
  /** Called for each line the script prints before its JSON result (a script may ask the test to act). */
  onLine?: (line: string, reply: (text: string) => void) => Promise<void>;
}

function runPython(script: string, args: string[], opts: PythonRun = {}): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(python ?? 'python3', ['-W', 'ignore', join(SCRIPTS, script), ...args], {
      cwd: SCRIPTS,
      env: {
        PATH: process.env.PATH ?? '',
        PYTHONDONTWRITEBYTECODE: '1',
        SIM_HOST: sim.host,
        SIM_PORT: String(sim.port),
        SIM_USER: sim.username,
        SIM_PASSWORD: sim.password,
        SIM_THUMBPRINT: sim.thumbprints.sha1,
      },
      timeout: 60_000,
    });
    let stderr = '';
    let result: Record<string, unknown> | undefined;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const lines = createInterface({ input: child.stdout });
    const pending: Array<Promise<void>> = [];
    lines.on('line', (line) => {
      if (line.startsWith('{')) result = JSON.parse(line) as Record<string, unknown>;
      else if (opts.onLine) pending.push(opts.onLine(line, (text) => child.stdin.write(text)));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      Promise.all(pending).then(() => {
        if (code !== 0 || !result) reject(new Error(`${script} exited ${code}: ${stderr}`));
        else resolve(result);
      }, reject);
    });
  });
}

describe('pyVmomi 6.7 against the simulator', { skip, timeout: 180_000 }, () => {
  before(async () => {
    ({ sim, cleanup } = await startTestSimulator({ inventory, guestShutdownDelayMs: 300 }));
  });

  after(async () => {
    await cleanup();
  });

  test('reads every VM, pages traversal results, and every manager answers', async () => {
    const out = await runPython('inventory.py', []);
    assert.equal(out.version, '6.7.1', 'pyVmomi 6.7 negotiates its newest version the simulator lists');
    assert.equal(out.about, '8.0.2.0');
    const vms = out.vms as Array<Record<string, unknown>>;
    assert.deepEqual(
      vms.map((v) => [v.name, v.powerState, v.summaryPowerState]),
      [
        ['lin-01', 'poweredOn', 'poweredOn'],
        ['notools-01', 'poweredOn', 'poweredOn'],
        ['win-01', 'poweredOff', 'poweredOff'],
      ],
    );
    const lin = vms[0];
    assert.equal(lin?.guestId, 'ubuntu64Guest');
    assert.equal(lin?.ipAddress, '10.0.0.5');
    assert.equal(lin?.toolsRunningStatus, 'guestToolsRunning');
    assert.deepEqual(lin?.disks, [
      [2000, 8 * MiB, '[DS-01] lin-01/lin-01.vmdk'],
      [2001, 4 * MiB, '[DS-01] lin-01/lin-01_1.vmdk'],
    ]);
    assert.equal(vms[2]?.firmware, 'efi');
    // maxObjects=1: one VM per page, every VM once, through Folder and Datacenter traversal specs.
    const pages = out.pages as Array<Array<[string, string, string]>>;
    assert.deepEqual(
      pages.map((p) => p.map((o) => o[1])),
      [['lin-01'], ['win-01'], ['notools-01']],
    );
    assert.equal(out.badToken, 'vmodl.fault.InvalidArgument');
    assert.deepEqual(out.managers, {
      customFields: 0,
      roles: ['Admin', 'Anonymous', 'NoAccess', 'ReadOnly', 'View'],
      domains: ['vsphere.local'],
      licenseSource: 'vim.LicenseManager.EvaluationLicense',
      setting: ['VirtualCenter.FQDN', 'migratekit.simulator'],
      eventCategories: ['info'],
      recentTasks: 0,
      fileManager: 'FileManager',
      virtualDiskManager: 'virtualDiskManager',
      dvSwitchManager: 'DVSManager',
    });
    // Pinned to older versions, the answers hold nothing those versions lack (by the SDK's own metadata).
    assert.deepEqual(out.pinned65, { version: '6.5', newerProperties: [] });
    assert.deepEqual(out.pinned67, { version: '6.7', newerProperties: [] });
  });

  test('CBT, snapshots, changed areas, revert, power and guest shutdown', async () => {
    const vm = sim.engine.findVm('lin-01');
    assert.ok(vm);
    const original = await sim.readDisk('lin-01', 2000, 5 * MiB, 64 * 1024);
    const out = await runPython('lifecycle.py', ['lin-01', 'notools-01'], {
      onLine: async (line, reply) => {
        if (line !== 'WRITE-NOW') return;
        await sim.writeGuest('lin-01', 2000, 5 * MiB, Buffer.alloc(64 * 1024, 0x5a));
        reply('\n');
      },
    });
    assert.equal(out.reconfigure, 'success');
    assert.equal(out.cbt, true);
    assert.deepEqual(out.allAreas, [
      [0, MiB],
      [4 * MiB, MiB],
    ]);
    assert.deepEqual(out.delta, [[5 * MiB, 64 * 1024]], 'the changed areas are exactly the guest write');
    assert.deepEqual(out.snapshotTree, ['base', 'after-write']);
    assert.equal(out.revert, 'success');
    assert.equal(out.currentAfterRevert, true);
    assert.equal(out.powerAfterRevert, 'poweredOff', 'a snapshot without memory reverts to powered off');
    assert.equal(out.snapshotsLeft, false);
    assert.equal(out.on, 'poweredOn');
    assert.equal(out.powerOnTwice, 'vim.fault.InvalidPowerState');
    assert.equal(out.guestStateWhileShuttingDown, 'shuttingDown');
    assert.equal(out.afterShutdown, 'poweredOff');
    assert.equal(out.summaryAfterShutdown, 'poweredOff');
    assert.equal(out.shutdownWhenOff, 'vim.fault.InvalidPowerState');
    assert.equal(out.powerOffWhenOff, 'vim.fault.InvalidPowerState');
    assert.equal(out.afterPowerOff, 'poweredOff');
    assert.equal(out.afterPowerOn, 'poweredOn');
    assert.equal(out.shutdownWithoutTools, 'vim.fault.ToolsUnavailable');
    assert.deepEqual(
      await sim.readDisk('lin-01', 2000, 5 * MiB, 64 * 1024),
      original,
      'the revert brought back the content of the snapshot',
    );
    assert.equal(vm.snapshots.length, 0);
  });
});
