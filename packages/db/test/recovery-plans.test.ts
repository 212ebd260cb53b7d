// recovery_plans, stages, members and runs on every engine: stages and members come back in order, saving a
// plan replaces its stages as a whole, a duplicate name is MKE_DUPLICATE, deleting a group or VM removes it
// from the plans, and a run moves only along the catalogue's transitions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, isMigrateKitError } from '@migratekit/core';
import { createRepositories } from '../src/repositories';
import { describeOnEngines } from '../src/testing';
import { createContext, uniqueSuffix } from './fixtures';

describe('recovery plan repository', { timeout: 120_000 }, () => {
  describeOnEngines('recovery plans', ({ engine, database }) => {
    test(`[${engine}] stages and members keep their order; an update replaces them`, async () => {
      const repos = createRepositories(database().db);
      const [a, b, c] = [await createContext(repos), await createContext(repos), await createContext(repos)];
      const group = await repos.machineGroups.create({
        name: `db-${uniqueSuffix()}`,
        schedule_id: null,
        max_concurrent_vms: 2,
        priority: 5,
      });
      const name = `plan-${uniqueSuffix()}`;
      const plan = await repos.recoveryPlans.create({
        name,
        description: 'two stages',
        created_by: 'alice',
        stages: [
          { name: 'databases', wait_condition: 'running', wait_seconds: 300, members: [{ group_id: group.id }] },
          {
            name: 'apps',
            wait_condition: 'delay',
            wait_seconds: 30,
            members: [{ vm_context_id: b.context_id }, { vm_context_id: a.context_id }],
          },
        ],
      });
      assert.equal(plan.name, name);
      assert.deepEqual(
        plan.stages.map((s) => [s.position, s.name, s.wait_condition, s.wait_seconds]),
        [
          [0, 'databases', 'running', 300],
          [1, 'apps', 'delay', 30],
        ],
      );
      assert.deepEqual(plan.stages[0]?.members, [{ position: 0, group_id: group.id, vm_context_id: null }]);
      assert.deepEqual(
        plan.stages[1]?.members.map((m) => m.vm_context_id),
        [b.context_id, a.context_id],
      );
      assert.equal((await repos.recoveryPlans.findByName(name))?.id, plan.id);

      const updated = await repos.recoveryPlans.update(plan.id, {
        description: null,
        stages: [
          { name: 'all', wait_condition: 'completed', wait_seconds: 0, members: [{ vm_context_id: c.context_id }] },
        ],
      });
      assert.equal(updated.description, null);
      assert.deepEqual(
        updated.stages.map((s) => [s.name, s.members.map((m) => m.vm_context_id)]),
        [['all', [c.context_id]]],
      );
      // The old stages and their members are gone, not just hidden.
      const stageRows = await database()
        .db.selectFrom('recovery_plan_stages')
        .where('plan_id', '=', plan.id)
        .selectAll()
        .execute();
      assert.equal(stageRows.length, 1);

      await assert.rejects(
        repos.recoveryPlans.create({ name, stages: [] }),
        (error) => isMigrateKitError(error) && error.code === 'MKE_DUPLICATE' && error.field === 'body.name',
      );
      assert.ok((await repos.recoveryPlans.list()).some((p) => p.id === plan.id));
      assert.equal(await repos.recoveryPlans.delete(plan.id), true);
      assert.equal(await repos.recoveryPlans.get(plan.id), undefined);
    });

    test(`[${engine}] deleting a group or a VM removes it from the plans`, async () => {
      const repos = createRepositories(database().db);
      const ctx = await createContext(repos);
      const keep = await createContext(repos);
      const group = await repos.machineGroups.create({
        name: `g-${uniqueSuffix()}`,
        schedule_id: null,
        max_concurrent_vms: 1,
        priority: 0,
      });
      const plan = await repos.recoveryPlans.create({
        name: `plan-${uniqueSuffix()}`,
        stages: [
          {
            name: 'one',
            wait_condition: 'completed',
            wait_seconds: 0,
            members: [{ group_id: group.id }, { vm_context_id: ctx.context_id }, { vm_context_id: keep.context_id }],
          },
        ],
      });
      await repos.machineGroups.delete(group.id);
      await repos.contexts.delete(ctx.context_id);
      const after = await repos.recoveryPlans.require(plan.id);
      assert.deepEqual(
        after.stages[0]?.members.map((m) => m.vm_context_id),
        [keep.context_id],
      );
    });

    test(`[${engine}] a run moves only along the catalogue and records its undo jobs`, async () => {
      const clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
      const repos = createRepositories(database().db, clock);
      const plan = await repos.recoveryPlans.create({ name: `plan-${uniqueSuffix()}`, stages: [] });
      const run = await repos.recoveryPlans.createRun({
        plan_id: plan.id,
        plan_name: plan.name,
        job_id: `job-${uniqueSuffix()}`,
        failover_type: 'test',
        stage_count: 2,
        requested_by: 'alice',
      });
      assert.equal(run.status, 'running');
      assert.deepEqual(run.undo_jobs, []);
      assert.equal((await repos.recoveryPlans.getRunByJob(run.job_id))?.id, run.id);
      // running -> undone skips states: refused.
      assert.equal(await repos.recoveryPlans.transitionRun(run.id, { to: 'undone' }), false);
      await clock.advance(5_000);
      assert.equal(
        await repos.recoveryPlans.transitionRun(run.id, { to: 'failed', error_message: 'stage 2 failed' }),
        true,
      );
      const failed = await repos.recoveryPlans.requireRun(run.id);
      assert.equal(failed.error_message, 'stage 2 failed');
      assert.deepEqual(failed.completed_at, new Date('2026-03-01T10:00:05.000Z'));
      const undo = [{ failover_job_id: 'fo-1', vm_context_id: 'ctx-1', job_id: 'cleanup-1' }];
      assert.equal(await repos.recoveryPlans.transitionRun(run.id, { to: 'undoing', undo_jobs: undo }), true);
      assert.deepEqual((await repos.recoveryPlans.requireRun(run.id)).undo_jobs, undo);
      assert.deepEqual(
        (await repos.recoveryPlans.listRunsByStatus(['undoing'])).map((r) => r.id).filter((id) => id === run.id),
        [run.id],
      );
      assert.equal(await repos.recoveryPlans.transitionRun(run.id, { to: 'undone' }), true);
      assert.equal(await repos.recoveryPlans.transitionRun(run.id, { to: 'undoing' }), false, 'undone is final');
      assert.deepEqual(
        (await repos.recoveryPlans.listRuns(plan.id)).map((r) => r.status),
        ['undone'],
      );
    });
  });
});
