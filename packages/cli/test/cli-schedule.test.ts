// `migratekit schedule ...` and `migratekit group ...` against the dev stack with --json: create a schedule and a
// group, add a managed VM, run the schedule now (the real replication service starts the job, the simulator
// agent is online), read the execution history, then disable the member and see the skip reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { cliOnDevStack } from './cli-dev-stack';

const MiB = 1024 * 1024;

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Sched',
      hosts: [{ name: 'esx01.sched.local' }],
      datastores: [{ name: 'DS-01', capacityGiB: 10 }],
      networks: [{ name: 'VM Network' }],
      vms: [
        {
          name: 'sched-vm',
          host: 'esx01.sched.local',
          guest: 'linux' as const,
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn' as const,
          disks: [{ capacityBytes: 8 * MiB, datastore: 'DS-01', seedBytes: MiB }],
          nics: [{ network: 'VM Network' }],
        },
      ],
    },
  ],
};

interface Execution {
  id: string;
  jobs_created: number;
  jobs_skipped: number;
  details: { vm_name: string; outcome: string; job_id?: string; reason?: string }[];
}

test('schedule and group commands on the dev stack with --json', { timeout: 300_000 }, async (t) => {
  const { cli } = await cliOnDevStack(t, inventory, 'mk-cli-sched-');
  await cli('vm', 'add', 'sched-vm', '--no-start');

  const created = await cli<{ name: string; interval_seconds: number; timezone: string }>(
    'schedule',
    'create',
    'hourly',
    '--cron',
    '0 0 * * * *',
    '--timezone',
    'Europe/Paris',
    '--max-jobs',
    '2',
    '--target-rpo',
    '7200',
  );
  assert.deepEqual([created.name, created.interval_seconds, created.timezone], ['hourly', 3600, 'Europe/Paris']);
  const group = await cli<{ name: string; schedule_name: string }>(
    'group',
    'create',
    'apps',
    '--schedule',
    'hourly',
    '--max-vms',
    '1',
    '--priority',
    '10',
  );
  assert.equal(group.schedule_name, 'hourly');
  const added = await cli<{ vm_name: string; enabled: boolean }[]>(
    'group',
    'add',
    'apps',
    'sched-vm',
    '--priority',
    '3',
  );
  assert.deepEqual(
    added.map((m) => [m.vm_name, m.enabled]),
    [['sched-vm', true]],
  );

  const run = await cli<Execution>('schedule', 'run', 'hourly');
  assert.equal(run.jobs_created, 1);
  assert.equal(run.details[0]?.outcome, 'created');
  assert.ok(run.details[0]?.job_id);
  const history = await cli<{ id: string; triggered_by: string }[]>('schedule', 'executions', 'hourly');
  assert.equal(history[0]?.id, run.id);

  await cli('group', 'set', 'apps', 'sched-vm', '--disable');
  const again = await cli<Execution>('schedule', 'run', 'hourly');
  assert.deepEqual(
    again.details.map((d) => [d.vm_name, d.outcome, d.reason]),
    [['sched-vm', 'skipped', 'membership_disabled']],
  );
  const members = await cli<{ enabled: boolean }[]>('group', 'members', 'apps');
  assert.deepEqual(
    members.map((m) => m.enabled),
    [false],
  );
  const listed = await cli<{ name: string }[]>('schedule', 'list');
  assert.ok(listed.some((s) => s.name === 'hourly'));
  assert.ok(
    listed.some((s) => s.name === 'dev-every-30s'),
    'the dev stack seeds its demo schedule',
  );
  await cli('schedule', 'disable', 'hourly');
  await cli('group', 'remove', 'apps', 'sched-vm');
  assert.deepEqual(await cli('group', 'members', 'apps'), []);
});
