// Test and live failover end to end on the dev stack: a replicated 2-disk, 2-NIC VM fails over as a test (a
// `<name>-test-<ts>` VM Running on the TEST networks with the source MACs, disks byte-identical to the last sync,
// source still on) and another live (source powered off, final sync, VM Running under the source's name on the
// PRODUCTION networks, byte-identical to the source at power-off). Then the 409 answers. First, networks and a
// template outside the target zone are refused by the mapping API and the pre-flight (not by CloudStack at deploy),
// and test failovers whose target VM wrote to the volumes are compensated back to the last sync's bytes
// (failover-revert.ts), after which the same VMs fail over again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SECOND_ZONE_ID } from '@migratekit/sim-cloudstack';
import { crashRig, type CrashRig } from './failover-crash-fixture';
import {
  PROD_NETWORKS,
  SOURCE_NETWORKS,
  TEST_NETWORKS,
  powerStateOf,
  sourceHashes,
  startFailoverStack,
  twoDiskVm,
  volumeHashes,
  type FailoverStack,
} from './failover-fixture';
import { compensationAfterGuestWrites, failureBetweenRevertAndDelete } from './failover-revert';

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

interface PreflightCheck {
  name: string;
  ok: boolean;
  message: string;
}

const SETTLED = ['completed', 'failed', 'cleanup_required'];
const DC2_PROD_NETWORK = 'b0000100-1111-4222-8333-944455556666';
const DC2_TEST_NETWORK = 'b0000960-1111-4222-8333-944455556666';

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
  let rig: CrashRig;
  before(async () => {
    env = await startFailoverStack([twoDiskVm('db-01', 1), twoDiskVm('web-01', 2)]);
    rig = crashRig(env);
  });
  after(async () => {
    await env.close();
  });

  test('networks or a template outside the target zone: 400 on the mapping, a failed pre-flight item', async () => {
    const contextId = env.contexts.get('db-01') as string;
    // A second site in the simulator: an isolated network like the test one, in Zone-DC2 (next to the seeded
    // DC2-Web-VLAN100). The dev configuration names no zone: the target zone is the server VM's, Zone-DC1.
    const { simulator } = env.estate.cloudstack;
    const like = simulator.state.networks.find((n) => n.id === TEST_NETWORKS[0]);
    assert.ok(like);
    simulator.state.networks.push({
      ...like,
      id: DC2_TEST_NETWORK,
      name: 'DC2-Test-Isolated',
      vlan: '960',
      zoneid: SECOND_ZONE_ID,
      zonename: 'Zone-DC2',
    });
    const mapping = `/api/v1/network-mappings/context/${contextId}/${encodeURIComponent(SOURCE_NETWORKS[0] as string)}`;
    for (const [body, field, name] of [
      [{ production_network_id: DC2_PROD_NETWORK, test_network_id: TEST_NETWORKS[0] }, 'production', 'DC2-Web-VLAN100'],
      [{ production_network_id: PROD_NETWORKS[0], test_network_id: DC2_TEST_NETWORK }, 'test', 'DC2-Test-Isolated'],
    ] as const) {
      const refused = await env.api.call<{ error: { field: string; message: string } }>('PUT', mapping, body);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error.field, `body.${field}_network_id`);
      assert.match(refused.body.error.message, new RegExp(`${name} is in zone Zone-DC2, not in Zone-DC1`));
    }

    // The configuration moves to Zone-DC2: the stored mappings (Zone-DC1) and the template no longer fit.
    const moved = await env.api.call('PUT', '/api/v1/cloudstack/config', { zone_id: SECOND_ZONE_ID });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    try {
      for (const [type, networks] of [
        ['test', ['DR-Test-Isolated', 'Test-Bubble-Isolated']],
        ['live', ['Prod-Web-VLAN100', 'DMZ-VLAN253']],
      ] as const) {
        const checked = await env.api.call<{ preflight: { ok: boolean; checks: PreflightCheck[] } }>(
          'POST',
          '/api/v1/failover/preflight/validate',
          { vm_id: contextId, failover_type: type },
        );
        assert.equal(checked.status, 200, JSON.stringify(checked.body));
        assert.equal(checked.body.preflight.ok, false);
        const item = (name: string) => checked.body.preflight.checks.find((c) => c.name === name);
        assert.equal(item('networks')?.ok, false, type);
        for (const network of networks)
          assert.match(item('networks')?.message ?? '', new RegExp(`${network} is in zone Zone-DC1, not in Zone-DC2`));
        assert.equal(item('target_zone')?.ok, false, type);
        assert.match(item('target_zone')?.message ?? '', /template Ubuntu 22.04 LTS is not in zone Zone-DC2/);
      }
      // A failover started anyway stops at validate: nothing is deployed (no CloudStack error 431 at deploy).
      const started = await env.api.call<{ job_id: string; target_vm_name: string }>('POST', '/api/v1/failover/test', {
        vm_id: contextId,
      });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const done = await waitForFailover(env, started.body.job_id);
      assert.equal(done.status, 'failed');
      assert.match(done.error_message ?? '', /Pre-flight failed: networks: .*DR-Test-Isolated is in zone Zone-DC1/);
      assert.deepEqual(
        done.steps.map((s) => s.name),
        ['validate'],
      );
      assert.ok(!env.estate.cloudstack.inventory().vms.some((vm) => vm.name === started.body.target_vm_name));
    } finally {
      const back = await env.api.call('PUT', '/api/v1/cloudstack/config', { zone_id: null });
      assert.equal(back.status, 200, JSON.stringify(back.body));
    }
  });

  test('a test failover whose target VM wrote is compensated: the volumes hold the last sync again', () =>
    compensationAfterGuestWrites(env, rig, 'db-01'));

  test('a failure between revert and delete: cleanup_required, then the second compensation converges', () =>
    failureBetweenRevertAndDelete(env, rig, 'web-01'));

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
