// `migratekit failover cleanup|rollback` against the dev stack: the failed-execution cleanup of a managed VM runs
// every step and ends completed (--json, and the per-step lines without it); a rollback with no failover to undo
// fails with the decision's reason and exit code 1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { BIN, cliOnDevStack, run } from './cli-dev-stack';

const MiB = 1024 * 1024;

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Rec',
      hosts: [{ name: 'esx01.rec.local' }],
      datastores: [{ name: 'DS-01', capacityGiB: 10 }],
      networks: [{ name: 'VLAN 10' }],
      vms: [
        {
          name: 'solo',
          host: 'esx01.rec.local',
          guest: 'linux' as const,
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn' as const,
          disks: [{ capacityBytes: 16 * MiB, datastore: 'DS-01', seedBytes: MiB }],
          nics: [{ network: 'VLAN 10' }],
        },
      ],
    },
  ],
};

test('failover cleanup and rollback commands on the dev stack', { timeout: 300_000 }, async (t) => {
  const { env, cli } = await cliOnDevStack(t, inventory, 'mk-cli-recovery-');
  await cli('vm', 'add', 'solo', '--no-start');

  const repaired = await cli<{ workflow: string; job: { status: string; steps: { name: string }[] } }>(
    'failover',
    'cleanup',
    'solo',
  );
  assert.equal(repaired.workflow, 'failover-repair');
  assert.equal(repaired.job.status, 'completed');
  assert.equal(repaired.job.steps.length, 9, 'every step is tracked');

  const { stdout } = await run(process.execPath, [BIN, 'failover', 'cleanup', 'solo'], { env });
  assert.match(stdout, /^\[1\/9\] inspect state: completed$/m);
  assert.match(stdout, /^\[9\/9\] update statuses: completed$/m);
  assert.match(stdout, /failover-repair repair-\S+: completed/);

  const refused = await run(process.execPath, [BIN, 'failover', 'rollback', 'solo', '--power-on-source'], { env }).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(refused?.code, 1);
  assert.match(refused.stderr, /has no live failover/);
});
