// `migratekit failover ...` against the dev stack, as a newcomer runs it after `npm start`: a 2-disk, 2-NIC VM
// added and replicated, its networks mapped by name, a test failover followed with --wait, then status and jobs;
// every command with --json. A second failover of the same VM is refused (409) naming the blocking one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { BIN, cliOnDevStack, run } from './cli-dev-stack';

const MiB = 1024 * 1024;
const NETWORKS = ['VLAN 100 - Prod', 'VLAN 253 - DMZ'];

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Cli',
      hosts: [{ name: 'esx01.cli.local' }],
      datastores: [{ name: 'DS-01', capacityGiB: 10 }],
      networks: NETWORKS.map((name) => ({ name })),
      vms: [
        {
          name: 'app-01',
          host: 'esx01.cli.local',
          guest: 'linux' as const,
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn' as const,
          cbtEnabled: true,
          disks: [
            { capacityBytes: 16 * MiB, datastore: 'DS-01', seedBytes: MiB },
            { capacityBytes: 8 * MiB, datastore: 'DS-01', seedBytes: MiB },
          ],
          nics: NETWORKS.map((network, n) => ({ network, mac: `00:50:56:0b:00:0${n + 1}` })),
        },
      ],
    },
  ],
};

interface Status {
  job_id: string;
  status: string;
  target_vm_name: string;
  destination_vm_id: string;
  steps: Array<{ name: string; kind: string; status: string }>;
}

test('failover commands on the dev stack with --json', { timeout: 300_000 }, async (t) => {
  const { env, cli, stack } = await cliOnDevStack(t, inventory, 'mk-cli-failover-');
  await cli('vm', 'add', 'app-01', '--no-start');
  await cli('replicate', 'app-01', '--wait');
  const tests = ['DR-Test-Isolated', 'Test-Bubble-Isolated'];
  const prods = ['Prod-Web-VLAN100', 'DMZ-VLAN253'];
  for (const [n, source] of NETWORKS.entries())
    await cli('network', 'map', 'app-01', '--source', source, '--production', prods[n] ?? '', '--test', tests[n] ?? '');

  const done = await cli<Status>('failover', 'test', 'app-01', '--wait', '--keep-mac', '--poll-ms', '100');
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.match(done.target_vm_name, /^app-01-test-\d{14}$/);
  const vm = stack.estate?.cloudstack.inventory().vms.find((v) => v.id === done.destination_vm_id);
  assert.equal(vm?.state, 'Running');
  assert.deepEqual(
    vm?.nics.map((n) => n.macaddress),
    ['00:50:56:0b:00:01', '00:50:56:0b:00:02'],
  );

  const status = await cli<Status>('failover', 'status', done.job_id);
  assert.equal(status.steps.filter((s) => s.kind === 'run' && s.status === 'completed').length, 8);
  const jobs = await cli<Array<{ job_id: string; status: string }>>('failover', 'jobs', '--vm', 'app-01');
  assert.deepEqual(
    jobs.map((j) => [j.job_id, j.status]),
    [[done.job_id, 'completed']],
  );

  // Already failed over: exit code 1 and the 409's message names the failover that holds the VM.
  const refused = await run(process.execPath, [BIN, 'failover', 'live', 'app-01', '--json'], { env }).then(
    () => assert.fail('a second failover must be refused'),
    (error: { stderr: string; code: number }) => error,
  );
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(done.job_id));
});
