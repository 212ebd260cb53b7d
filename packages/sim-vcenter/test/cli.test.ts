import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateInventory } from '../src/index';
import { smallInventory } from './fixtures';

// `migratekit sim vcenter` starts, prints its URL and thumbprints, and stops on SIGTERM.

const root = new URL('../../../', import.meta.url).pathname;

test('migratekit sim vcenter runs the simulator from an inventory file', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sim-vcenter-cli-'));
  try {
    const inventory = join(dir, 'estate.json');
    await writeFile(inventory, JSON.stringify(smallInventory));
    const child = spawn(
      process.execPath,
      [
        join(root, 'bin/migratekit.mjs'),
        'sim',
        'vcenter',
        '--port',
        '0',
        '--data',
        join(dir, 'data'),
        '--inventory',
        inventory,
        '--nbd-port',
        '0',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<string>((resolve) =>
      child.on('exit', (code, signal) => resolve(`exit ${code} ${signal ?? ''} ${err}`.trim())),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out} ${err}`)), 30_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('govc:')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    assert.match(out, /vCenter simulator: https:\/\/127\.0\.0\.1:\d+\/sdk/);
    assert.match(out, /SHA-1:\s+([0-9A-F]{2}:){19}[0-9A-F]{2}/);
    assert.match(out, /VMs:\s+2/);
    assert.match(out, /NBD:\s+nbd:\/\/127\.0\.0\.1:\d+\//);
    child.kill('SIGTERM');
    assert.equal(await exited, 'exit 0', 'clean exit on SIGTERM');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a malformed inventory is refused with the paths of the problems', { timeout: 120_000 }, () => {
  assert.throws(
    () =>
      validateInventory({
        datacenters: [{ name: 'x', datastores: [], vms: [{ name: 'a', guest: 'beos', disks: [{}], nics: [] }] }],
      }),
    (e: unknown) => {
      const m = (e as Error).message;
      return (
        m.includes('datacenters[0].vms[0].host') && m.includes('guest must be') && m.includes('disks[0].datastore')
      );
    },
  );
  assert.equal(validateInventory(smallInventory), smallInventory);
});
