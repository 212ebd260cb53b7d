// `migratekit plan ...` against the dev stack: two replicated VMs, a machine group, a two-stage plan created
// with --stage specs, a test run followed with --wait (the human lines, then the run as JSON), the run history,
// and undo --wait that leaves CloudStack with nothing but the server VM. A bad --stage exits 1 saying why.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { BIN, cliOnDevStack, run } from './cli-dev-stack';

const MiB = 1024 * 1024;
const NETWORK = 'VM Network';
const PROD_NETWORK = 'a0000100-1111-4222-8333-944455556666';
const TEST_NETWORK = 'a0000900-1111-4222-8333-944455556666';

const vm = (name: string, n: number) => ({
  name,
  host: 'esx01.plan.local',
  guest: 'linux' as const,
  guestId: 'ubuntu64Guest',
  guestFullName: 'Ubuntu Linux (64-bit)',
  powerState: 'poweredOn' as const,
  cbtEnabled: true,
  disks: [{ capacityBytes: 8 * MiB, datastore: 'DS-01', seedBytes: MiB }],
  nics: [{ network: NETWORK, mac: `00:50:56:0c:00:0${n}` }],
});

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Plan',
      hosts: [{ name: 'esx01.plan.local' }],
      datastores: [{ name: 'DS-01', capacityGiB: 10 }],
      networks: [{ name: NETWORK }],
      vms: [vm('plan-db', 1), vm('plan-web', 2)],
    },
  ],
};

interface Run {
  id: string;
  status: string;
  error_message: string | null;
  stages: Array<{ name: string; status: string; children: Array<{ vm_name: string; status: string | null }> }>;
  undo_jobs: unknown[];
}

test('plan commands on the dev stack', { timeout: 120_000 }, async (t) => {
  // The simulator's disks hold no operating system: guest conversion is off (docs/conversion.md).
  const { env, cli, stack } = await cliOnDevStack(t, inventory, 'mk-cli-plan-', { MIGRATEKIT_CONVERTER: 'off' });
  // Setup through the API (each CLI call is a process start): add, replicate, map, group.
  const token = readFileSync(stack.cliTokenPath, 'utf8').trim();
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = (await response.json()) as T;
    assert.ok(response.ok, `${method} ${path}: ${JSON.stringify(parsed)}`);
    return parsed;
  };
  const credentialId = stack.estate?.credentialId;
  const found = await api<{ vms: Array<{ id: string; name: string }> }>('POST', '/api/v1/discover', {
    credential_id: credentialId,
  });
  const added = await api<{ results: Array<{ vm_id: string; context_id: string; job_id: string }> }>(
    'POST',
    '/api/v1/replications',
    {
      vm_ids: found.vms.map((v) => v.id),
      credential_id: credentialId,
    },
  );
  for (const result of added.results) {
    for (let i = 0; ; i++) {
      const job = await api<{ status: string }>('GET', `/api/v1/replications/${result.job_id}`);
      if (job.status === 'completed') break;
      assert.ok(['pending', 'replicating'].includes(job.status) && i < 1200, JSON.stringify(job));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await api('PUT', `/api/v1/network-mappings/context/${result.context_id}/${encodeURIComponent(NETWORK)}`, {
      production_network_id: PROD_NETWORK,
      test_network_id: TEST_NETWORK,
    });
  }
  const group = await api<{ id: string }>('POST', '/api/v1/machine-groups', { name: 'plan-databases' });
  const dbVmId = found.vms.find((v) => v.name === 'plan-db')?.id;
  const db = added.results.find((r) => r.vm_id === dbVmId);
  await api('POST', `/api/v1/machine-groups/${group.id}/vms`, { vm_context_id: db?.context_id });

  const created = await cli<{
    name: string;
    stages: Array<{ name: string; wait_condition: string; wait_seconds: number }>;
  }>('plan', 'create', 'dr', '--stage', 'databases=group:plan-databases/running:60', '--stage', 'web=plan-web');
  assert.deepEqual(
    created.stages.map((s) => [s.name, s.wait_condition, s.wait_seconds]),
    [
      ['databases', 'running', 60],
      ['web', 'completed', 0],
    ],
  );

  // Human output: a line per stage and child change, then the outcome.
  const followed = await run(process.execPath, [BIN, 'plan', 'run', 'dr', '--test', '--wait', '--poll-ms', '100'], {
    env,
  });
  assert.match(followed.stdout, /\[1\/2\] databases: running/);
  assert.match(followed.stdout, /plan-db: completed/);
  assert.match(followed.stdout, /\[2\/2\] web: completed/);
  assert.match(followed.stdout, /: completed\n$/);
  const [latest] = await cli<Run[]>('plan', 'runs', 'dr');
  assert.ok(latest);
  assert.equal(latest.status, 'completed', latest.error_message ?? '');
  assert.deepEqual(
    latest.stages.map((s) => [s.name, s.status, s.children.map((c) => [c.vm_name, c.status])]),
    [
      ['databases', 'completed', [['plan-db', 'completed']]],
      ['web', 'completed', [['plan-web', 'completed']]],
    ],
  );
  assert.equal(stack.estate?.cloudstack.inventory().vms.filter((v) => !v.isServer).length, 2);

  const undone = await cli<Run>('plan', 'undo', 'dr', latest.id, '--wait', '--poll-ms', '100');
  assert.equal(undone.status, 'undone', undone.error_message ?? '');
  assert.equal(undone.undo_jobs.length, 2);
  assert.deepEqual(
    stack.estate?.cloudstack.inventory().vms.filter((v) => !v.isServer),
    [],
  );

  const refused = await run(process.execPath, [BIN, 'plan', 'create', 'bad', '--stage', 'no-equals-sign'], {
    env,
  }).then(
    () => assert.fail('a bad --stage must be refused'),
    (error: { stderr: string; code: number }) => error,
  );
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--stage "no-equals-sign": expected NAME=MEMBER/);
});
