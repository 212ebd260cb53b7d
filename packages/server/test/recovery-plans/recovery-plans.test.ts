// Recovery plans on the dev stack (server, vCenter and CloudStack simulators, an agent), through the API: a
// two-stage test run (a machine group, then two VMs) fails over stage by stage under one parent job and is
// undone to nothing left behind; a run whose second stage fails (the simulator fails its deploy jobs) stops
// with the stage and VMs named, and undo cleans up what the first stage did. docs/recovery-plans.md.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RecoveryPlanRunView, RecoveryPlanView } from '../../src/recovery-plans';
import { startFailoverStack, twoDiskVm, type FailoverStack } from '../failover/failover-fixture';

const VMS = ['rp-db', 'rp-app1', 'rp-app2'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runUntil(
  env: FailoverStack,
  plan: string,
  runId: string,
  done: (run: RecoveryPlanRunView) => boolean,
): Promise<RecoveryPlanRunView> {
  for (let i = 0; i < 1200; i++) {
    const { status, body } = await env.api.call<RecoveryPlanRunView>(
      'GET',
      `/api/v1/recovery-plans/${plan}/runs/${runId}`,
    );
    assert.equal(status, 200, JSON.stringify(body));
    if (done(body)) return body;
    await sleep(50);
  }
  throw new Error(`run ${runId} did not get there`);
}

/** Nothing but the server VM, no snapshot, every volume back on the server, every VM ready again. */
async function assertClean(env: FailoverStack): Promise<void> {
  const inventory = env.estate.cloudstack.inventory();
  assert.deepEqual(
    inventory.vms.filter((vm) => !vm.isServer).map((vm) => vm.name),
    [],
    'no target VM is left',
  );
  assert.deepEqual(
    inventory.snapshots.map((s) => s.name),
    [],
    'no snapshot is left',
  );
  for (const volume of inventory.volumes.filter((v) => v.type !== 'ROOT'))
    assert.equal(volume.vmId, inventory.serverVmId, `volume ${volume.name} is back on the server`);
  for (const [name, contextId] of env.contexts) {
    const context = await env.stack.server.composition.adapters.repositories.contexts.require(contextId);
    assert.equal(context.current_status, 'ready_for_failover', name);
  }
}

describe('recovery plans', { timeout: 180_000 }, () => {
  let env: FailoverStack;
  before(async () => {
    // The simulator's disks hold no operating system: guest conversion is off (docs/conversion.md).
    env = await startFailoverStack(
      VMS.map((name, i) => twoDiskVm(name, 80 + i)),
      { MIGRATEKIT_CONVERTER: 'off' },
    );
    const group = await env.api.call('POST', '/api/v1/machine-groups', {
      name: 'rp-databases',
      max_concurrent_vms: 2,
      priority: 1,
    });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    const member = await env.api.call('POST', `/api/v1/machine-groups/${(group.body as { id: string }).id}/vms`, {
      vm_context_id: env.contexts.get('rp-db'),
    });
    assert.ok(member.status < 300, JSON.stringify(member.body));
  });
  after(async () => {
    await env.close();
  });

  test('a two-stage test run fails over stage by stage and undo leaves nothing behind', async () => {
    const created = await env.api.call<RecoveryPlanView>('POST', '/api/v1/recovery-plans', {
      name: 'rp-two-stages',
      stages: [
        { name: 'databases', wait_condition: 'running', wait_seconds: 60, members: [{ group_id: 'rp-databases' }] },
        { name: 'apps', members: [{ vm_context_id: 'rp-app1' }, { vm_context_id: 'rp-app2' }] },
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      created.body.stages.map((s) => [s.name, s.wait_condition, s.members.map((m) => `${m.type}:${m.name}`)]),
      [
        ['databases', 'running', ['group:rp-databases']],
        ['apps', 'completed', ['vm:rp-app1', 'vm:rp-app2']],
      ],
    );
    const bad = await env.api.call<{ error: { field?: string } }>('POST', '/api/v1/recovery-plans', {
      name: 'rp-bad',
      stages: [{ name: 's', members: [{ vm_context_id: 'no-such-vm' }] }],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'body.stages[0].members[0].vm_context_id', JSON.stringify(bad.body));

    const started = await env.api.call<RecoveryPlanRunView>('POST', '/api/v1/recovery-plans/rp-two-stages/run', {
      failover_type: 'test',
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.status, 'running');
    const again = await env.api.call('POST', '/api/v1/recovery-plans/rp-two-stages/run', { failover_type: 'test' });
    assert.equal(again.status, 409, 'one active run per plan');

    const run = await runUntil(env, 'rp-two-stages', started.body.id, (r) => r.status !== 'running');
    assert.equal(run.status, 'completed', run.error_message ?? '');
    assert.deepEqual(
      run.stages.map((s) => [s.name, s.status, s.children.map((c) => [c.vm_name, c.status])]),
      [
        ['databases', 'completed', [['rp-db', 'completed']]],
        [
          'apps',
          'completed',
          [
            ['rp-app1', 'completed'],
            ['rp-app2', 'completed'],
          ],
        ],
      ],
    );
    // One parent job with the failovers as its children; stage 2 started only after stage 1 was Running.
    const { repositories } = env.stack.server.composition.adapters;
    const children = await repositories.jobLog.listChildren(run.job_id);
    assert.equal(children.length, 3);
    const first = children.find((c) => c.vm_context_id === env.contexts.get('rp-db'));
    const firstDone = first?.completed_at?.getTime() ?? Infinity;
    for (const c of children.filter((c) => c !== first))
      assert.ok(c.created_at.getTime() >= firstDone, 'apps started after the database stage ended');
    const inventory = env.estate.cloudstack.inventory();
    const targets = inventory.vms.filter((vm) => !vm.isServer);
    assert.equal(targets.length, 3);
    for (const vm of targets) assert.equal(vm.state, 'Running', vm.name);

    const undone = await env.api.call<RecoveryPlanRunView>(
      'POST',
      `/api/v1/recovery-plans/rp-two-stages/runs/${run.id}/undo`,
      {},
    );
    assert.equal(undone.status, 202, JSON.stringify(undone.body));
    assert.equal(undone.body.undo_jobs.length, 3);
    const after = await runUntil(env, 'rp-two-stages', run.id, (r) => r.status !== 'undoing');
    assert.equal(after.status, 'undone', after.error_message ?? '');
    await assertClean(env);
  });

  test('a failed stage stops the plan, names why, and undo cleans up what ran', async () => {
    const created = await env.api.call<RecoveryPlanView>('POST', '/api/v1/recovery-plans', {
      name: 'rp-failing',
      stages: [
        // The delay leaves time to arm the fault between the stages.
        { name: 'databases', wait_condition: 'delay', wait_seconds: 3, members: [{ vm_context_id: 'rp-db' }] },
        { name: 'apps', members: [{ group_id: 'rp-databases' }, { vm_context_id: 'rp-app1' }] },
        { name: 'web', members: [{ vm_context_id: 'rp-app2' }] },
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const started = await env.api.call<RecoveryPlanRunView>('POST', '/api/v1/recovery-plans/rp-failing/run', {
      failover_type: 'test',
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    // rp-db appears again in stage 2 (through the group): each VM runs once, in the first stage naming it.
    assert.deepEqual(
      started.body.stages.map((s) => s.children.map((c) => c.vm_name)),
      [['rp-db'], ['rp-app1'], ['rp-app2']],
    );
    await runUntil(env, 'rp-failing', started.body.id, (r) => r.stages[0]?.children[0]?.status === 'completed');
    env.estate.cloudstack.controls.failJobs('deployVirtualMachine', 1, { errortext: 'injected: no capacity' });
    const run = await runUntil(env, 'rp-failing', started.body.id, (r) => r.status !== 'running');
    env.estate.cloudstack.controls.clear();
    assert.equal(run.status, 'failed');
    assert.match(run.error_message ?? '', /Stage 2 \(apps\) failed: rp-app1: failover (failed|compensated)/);
    assert.match(run.error_message ?? '', /no capacity/);
    assert.deepEqual(
      run.stages.map((s) => s.status),
      ['completed', 'failed', 'pending'],
    );
    assert.equal(env.estate.cloudstack.inventory().vms.filter((vm) => !vm.isServer).length, 1, 'stage 1 VM only');
    assert.deepEqual(
      run.stages[2]?.children.map((c) => c.status),
      [null],
      'stage 3 never started its failover',
    );

    const undone = await env.api.call<RecoveryPlanRunView>(
      'POST',
      `/api/v1/recovery-plans/rp-failing/runs/${run.id}/undo`,
      {},
    );
    assert.equal(undone.status, 202, JSON.stringify(undone.body));
    assert.deepEqual(
      undone.body.undo_jobs.map((j) => j.context_id),
      [env.contexts.get('rp-db')],
      'only what completed is undone',
    );
    const after = await runUntil(env, 'rp-failing', run.id, (r) => r.status !== 'undoing');
    assert.equal(after.status, 'undone', after.error_message ?? '');
    await assertClean(env);
  });
});
