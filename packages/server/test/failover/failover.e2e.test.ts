// Test and live failover end to end on the dev stack: a replicated 2-disk, 2-NIC VM fails over as a test (a
// `<name>-test-<ts>` VM Running on the TEST networks with the source MACs, disks byte-identical to the last sync,
// source still on) and another live (source powered off, final sync, VM Running under the source's name on the
// PRODUCTION networks, byte-identical to the source at power-off). Then the 409 answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  PROD_NETWORKS,
  TEST_NETWORKS,
  powerStateOf,
  sourceHashes,
  startFailoverStack,
  twoDiskVm,
  volumeHashes,
  type FailoverStack,
} from './failover-fixture';

interface StatusView {
  job_id: string;
  status: string;
  workflow_status: string | null;
  target_vm_name: string | null;
  destination_vm_id: string | null;
  error_message: string | null;
  volume_snapshots: Record<string, string> | null;
  steps: Array<{ name: string; kind: string; status: string; output: unknown }>;
}

const SETTLED = ['completed', 'failed', 'cleanup_required'];

async function waitForFailover(env: FailoverStack, jobId: string): Promise<StatusView> {
  for (let i = 0; i < 2400; i++) {
    const { status, body } = await env.api.call<StatusView>('GET', `/api/v1/failover/${jobId}/status`);
    assert.equal(status, 200, JSON.stringify(body));
    if (SETTLED.includes(body.status) && body.workflow_status !== 'running' && body.workflow_status !== 'compensating')
      return body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`failover ${jobId} did not settle`);
}

describe('failover end to end on the dev stack', { timeout: 240_000 }, () => {
  let env: FailoverStack;
  before(async () => {
    env = await startFailoverStack([twoDiskVm('db-01', 1), twoDiskVm('web-01', 2)]);
  });
  after(async () => {
    await env.close();
  });

  test('a test failover: Running on the test networks with the source MACs, disks as the last sync', async () => {
    const contextId = env.contexts.get('db-01') as string;
    const source = await sourceHashes(env.estate, 'db-01');
    const started = await env.api.call<{ job_id: string; target_vm_name: string }>('POST', '/api/v1/failover/unified', {
      vm_id: contextId,
      failover_type: 'test',
      options: { keep_mac: true },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.match(started.body.target_vm_name, /^db-01-test-\d{14}$/);
    const done = await waitForFailover(env, started.body.job_id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual(
      done.steps.filter((s) => s.kind === 'run').map((s) => [s.name, s.status]),
      [
        'validate',
        'snapshot volumes',
        'convert guest',
        'create target VM',
        'detach volumes from server',
        'attach volumes to target',
        'start target VM',
        'update statuses',
      ].map((name) => [name, 'completed']),
    );
    const conversion = done.steps.find((s) => s.name === 'convert guest')?.output as {
      skipped: boolean;
      reason: string;
    };
    assert.equal(conversion.skipped, true);
    assert.match(conversion.reason, /guest conversion is turned off \(MIGRATEKIT_CONVERTER=off\)/);

    const inventory = env.estate.cloudstack.inventory();
    const vm = inventory.vms.find((v) => v.id === done.destination_vm_id);
    assert.ok(vm, 'the target VM exists');
    assert.equal(vm.name, started.body.target_vm_name);
    assert.equal(vm.state, 'Running');
    assert.deepEqual(
      vm.nics.map((n) => [n.networkid, n.macaddress]),
      TEST_NETWORKS.map((network, n) => [network, `00:50:56:0a:01:0${n + 1}`]),
    );
    const disks = inventory.volumes
      .filter((v) => v.vmId === vm.id)
      .sort((a, b) => (a.deviceId ?? 0) - (b.deviceId ?? 0));
    assert.equal(disks.length, 2, 'only the two migrated disks (the template root disk is gone)');
    assert.equal(disks[0]?.deviceId, 0, 'the root disk is device 0');
    assert.deepEqual(
      volumeHashes(
        env.estate,
        disks.map((d) => d.id),
        source.capacities,
      ),
      source.hashes,
    );
    assert.equal(Object.keys(done.volume_snapshots ?? {}).length, 2, 'one snapshot per volume');
    assert.equal(
      inventory.snapshots.filter((s) => s.name === `migratekit-failover-${done.job_id}`).length,
      2,
      'snapshots carry the failover name',
    );
    assert.equal(powerStateOf(env.estate, 'db-01'), 'poweredOn', 'the source stays on');
    const context = await env.api.call<{ current_status: string }>('GET', `/api/v1/vm-contexts/${contextId}`);
    assert.equal(context.body.current_status, 'failed_over_test');

    // Already failed over: 409 naming the blocking failover.
    const again = await env.api.call<{ error: { code: string; message: string } }>('POST', '/api/v1/failover/test', {
      vm_id: contextId,
    });
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, new RegExp(done.job_id));
  });

  test('a live failover: source off, final sync, Running under its name on the production networks', async () => {
    const contextId = env.contexts.get('web-01') as string;
    await env.estate.vcenter.writeGuest('web-01', 2000, 1024 * 1024, Buffer.alloc(64 * 1024, 0x5c));
    const started = await env.api.call<{ job_id: string; target_vm_name: string }>('POST', '/api/v1/failover/live', {
      vm_id: 'web-01',
      options: { shutdown_timeout_ms: 10_000 },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.target_vm_name, 'web-01');
    const done = await waitForFailover(env, started.body.job_id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(powerStateOf(env.estate, 'web-01'), 'poweredOff');
    const sync = done.steps.find((s) => s.name === 'final sync')?.output as { skipped: boolean };
    assert.equal(sync.skipped, false, 'the final sync ran');
    const atPowerOff = await sourceHashes(env.estate, 'web-01');
    const inventory = env.estate.cloudstack.inventory();
    const vm = inventory.vms.find((v) => v.id === done.destination_vm_id);
    assert.ok(vm);
    assert.equal(vm.name, 'web-01');
    assert.equal(vm.state, 'Running');
    assert.deepEqual(
      vm.nics.map((n) => [n.networkid, n.macaddress]),
      PROD_NETWORKS.map((network, n) => [network, `00:50:56:0a:02:0${n + 1}`]),
    );
    const disks = inventory.volumes
      .filter((v) => v.vmId === vm.id)
      .sort((a, b) => (a.deviceId ?? 0) - (b.deviceId ?? 0));
    assert.deepEqual(
      volumeHashes(
        env.estate,
        disks.map((d) => d.id),
        atPowerOff.capacities,
      ),
      atPowerOff.hashes,
    );
    const context = await env.api.call<{ current_status: string }>('GET', `/api/v1/vm-contexts/${contextId}`);
    assert.equal(context.body.current_status, 'failed_over_live');
  });
});
