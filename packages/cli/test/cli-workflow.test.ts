// The CLI against the dev stack, as a newcomer would use it after `npm start`: no login (the dev stack writes
// <data dir>/cli-token), discover, vm add (bulk, by name), replicate --wait, vm list/show, a duplicate add,
// vm delete; every command with --json. Also the token resolution order of the CLI config.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { BIN, cliOnDevStack, run } from './cli-dev-stack';
import { resolveTarget, writeConfigFile } from '../src/lib/cli-config';

const MiB = 1024 * 1024;

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Test',
      hosts: [{ name: 'esx01.test.local' }],
      datastores: [{ name: 'DS-01', capacityGiB: 10 }],
      networks: [{ name: 'VLAN 10 - Servers' }],
      vms: ['alpha', 'beta'].map((name) => ({
        name,
        host: 'esx01.test.local',
        guest: 'linux' as const,
        guestId: 'ubuntu64Guest',
        guestFullName: 'Ubuntu Linux (64-bit)',
        powerState: 'poweredOn' as const,
        disks: [{ capacityBytes: 16 * MiB, datastore: 'DS-01', seedBytes: 2 * MiB }],
        nics: [{ network: 'VLAN 10 - Servers' }],
      })),
    },
  ],
};

test(
  'token resolution: MIGRATEKIT_TOKEN, then the config file (0600), then <data dir>/cli-token',
  { timeout: 120_000 },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mk-cliconf-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const env = { MIGRATEKIT_CLI_CONFIG: join(dir, 'cli.json'), MIGRATEKIT_DATA_DIR: dir };
    assert.deepEqual(resolveTarget(env), { url: 'http://127.0.0.1:8080', token: undefined, tokenSource: 'none' });
    writeFileSync(join(dir, 'cli-token'), 'dev-token\n');
    assert.equal(resolveTarget(env).token, 'dev-token');
    writeConfigFile({ url: 'http://server:9000', token: 'file-token' }, env);
    assert.equal(statSync(join(dir, 'cli.json')).mode & 0o777, 0o600);
    assert.deepEqual(resolveTarget(env), { url: 'http://server:9000', token: 'file-token', tokenSource: 'config' });
    assert.deepEqual(resolveTarget({ ...env, MIGRATEKIT_TOKEN: 'env-token', MIGRATEKIT_URL: 'http://x:1/' }), {
      url: 'http://x:1',
      token: 'env-token',
      tokenSource: 'env',
    });
  },
);

test('CLI workflow on the dev stack with --json', { timeout: 180_000 }, async (t) => {
  const { stack, env, cli } = await cliOnDevStack(t, inventory, 'mk-cli-');

  const discovered = await cli<{ vms: Array<{ name: string; id: string }> }>('discover');
  assert.deepEqual(discovered.vms.map((v) => v.name).sort(), ['alpha', 'beta']);

  const added = await cli<{ results: Array<{ ok: boolean; context_id: string; job_id: string | null }> }>(
    'vm',
    'add',
    'alpha',
    'beta',
    '--no-start',
  );
  assert.deepEqual(
    added.results.map((r) => [r.ok, r.job_id]),
    [
      [true, null],
      [true, null],
    ],
  );

  const job = await cli<{ status: string; replication_type: string; total_bytes: number }>(
    'replicate',
    'alpha',
    '--wait',
  );
  assert.equal(job.status, 'completed');
  assert.equal(job.replication_type, 'initial');
  assert.ok(job.total_bytes >= 2 * MiB);

  const list = await cli<{ items: Array<{ vm_name: string; current_status: string }> }>('vm', 'list');
  assert.deepEqual(list.items.map((c) => [c.vm_name, c.current_status]).sort(), [
    ['alpha', 'ready_for_failover'],
    ['beta', 'discovered'],
  ]);
  const beta = await cli<{ disks: Array<{ sync_status: string }>; networks: Array<{ network_name: string }> }>(
    'vm',
    'show',
    'beta',
  );
  assert.deepEqual(
    beta.disks.map((d) => d.sync_status),
    ['discovered'],
    'disks known before the first job',
  );
  assert.deepEqual(
    beta.networks.map((n) => n.network_name),
    ['VLAN 10 - Servers'],
  );
  const shown = await cli<{ disks: Array<{ disk_change_id: string | null }>; jobs: unknown[] }>('vm', 'show', 'alpha');
  assert.equal(shown.jobs.length, 1);
  assert.ok(shown.disks[0]?.disk_change_id);

  // A duplicate add fails the command (exit 1) with the 409 details per VM.
  const duplicate = await run(process.execPath, [BIN, 'vm', 'add', 'alpha', '--no-start', '--json'], { env }).catch(
    (error: { code: number; stdout: string }) => error,
  );
  assert.equal((duplicate as { code?: number }).code, 1);
  const body = JSON.parse(duplicate.stdout) as { results: Array<{ existing_context_id: string }> };
  assert.equal(body.results[0]?.existing_context_id, added.results[0]?.context_id);

  const deleted = await cli<{ volumes_deleted: number }>('vm', 'delete', 'alpha');
  assert.equal(deleted.volumes_deleted, 1);
  assert.equal(
    stack.estate?.cloudstack.inventory().volumes.filter((v) => v.type !== 'ROOT').length,
    0,
    'no data volume left in CloudStack',
  );
});
