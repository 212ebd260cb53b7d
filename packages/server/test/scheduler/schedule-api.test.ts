// The schedule and machine-group API end to end on the real app (docs/scheduler.md#api): CRUD with field-named
// validation errors, members in priority order, "run now" with skip reasons in the execution history, and the
// RPO of a VM on the VM list, on the context (rpo_breached alert), on /metrics and as an rpo.alert event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newJobId } from '@migratekit/core';
import type { ServerEvent } from '../../src/events/event-types';
import { createTestApp, type TestApp } from '../test-app';

/** The fields these tests read from API answers. */
interface Body {
  id?: string;
  error?: { field?: string };
  [field: string]: unknown;
}

describe('schedule API', { timeout: 120_000 }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
    const response = await t.app.inject({ method, url, headers: t.admin, ...(payload ? { payload } : {}) });
    return {
      status: response.statusCode,
      body: response.body === '' ? null : response.json<Body>(),
    };
  }

  /** A VM whose last good sync completed `ageSeconds` ago. */
  async function syncedVm(name: string, ageSeconds: number): Promise<string> {
    const context = await t.repositories.contexts.create({
      context_id: `ctx-${name}`,
      vm_name: name,
      vmware_vm_id: `uuid-${name}`,
      current_status: 'ready_for_failover',
    });
    const jobId = newJobId(t.clock.now());
    await t.repositories.contexts.claimJob(context.context_id, jobId);
    await t.repositories.replicationJobs.create({
      id: jobId,
      vm_context_id: context.context_id,
      replication_type: 'initial',
    });
    await t.repositories.replicationJobs.update(jobId, {
      status: 'completed',
      completed_at: new Date(t.clock.now().getTime() - ageSeconds * 1000),
    });
    await t.repositories.contexts.releaseJob(context.context_id, jobId, 'succeeded');
    return context.context_id;
  }

  test(
    'schedules and groups: CRUD, validation naming the field, members by priority',
    { timeout: 60_000 },
    async () => {
      const bad = await call('POST', '/api/v1/schedules', { name: 'bad', cron_expression: '*/5 * * * *' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body?.error?.field, 'body.cron_expression');
      const badZone = await call('POST', '/api/v1/schedules', {
        name: 'bad-zone',
        cron_expression: '0 */5 * * * *',
        timezone: 'Mars/Olympus',
      });
      assert.equal(badZone.body?.error?.field, 'body.timezone');

      const created = await call('POST', '/api/v1/schedules', {
        name: 'nightly',
        cron_expression: '0 0 2 * * *',
        timezone: 'Europe/Berlin',
        max_concurrent_jobs: 3,
        retry_attempts: 2,
        retry_delay_seconds: 120,
        catch_up_policy: 'run_once',
      });
      assert.equal(created.status, 201);
      const schedule = created.body as unknown as { id: string; interval_seconds: number; next_run_at: string };
      assert.equal(schedule.interval_seconds, 86_400);
      // 02:00 in Berlin (CET, UTC+1) on the day after 2026-03-01T10:00Z.
      assert.equal(schedule.next_run_at, '2026-03-02T01:00:00.000Z');
      const patched = await call('PATCH', `/api/v1/schedules/${schedule.id}`, {
        enabled: false,
        target_rpo_seconds: 3600,
      });
      assert.deepEqual([patched.body?.enabled, patched.body?.target_rpo_seconds], [false, 3600]);
      assert.equal(
        (await call('POST', '/api/v1/schedules', { name: 'nightly', cron_expression: '0 0 3 * * *' })).status,
        409,
      );

      const group = (
        await call('POST', '/api/v1/machine-groups', { name: 'db', schedule_id: schedule.id, priority: 1 })
      ).body;
      assert.equal(group?.schedule_name, 'nightly');
      const noSchedule = await call('POST', '/api/v1/machine-groups', { name: 'x', schedule_id: 'sched-nope' });
      assert.equal(noSchedule.body?.error?.field, 'body.schedule_id');
      const vmA = await syncedVm('api-a', 10);
      const vmB = await syncedVm('api-b', 10);
      assert.equal(
        (await call('POST', `/api/v1/machine-groups/${group?.id}/vms`, { vm_context_id: vmA, priority: 5 })).status,
        201,
      );
      await call('POST', `/api/v1/machine-groups/${group?.id}/vms`, { vm_context_id: vmB, priority: 1 });
      const members = (await call('GET', `/api/v1/machine-groups/${group?.id}/vms`)).body as unknown as {
        vm_name: string;
      }[];
      assert.deepEqual(
        members.map((m) => m.vm_name),
        ['api-b', 'api-a'],
      );
      await call('PATCH', `/api/v1/machine-groups/${group?.id}/vms/${vmB}`, { enabled: false });
      assert.equal((await call('DELETE', `/api/v1/machine-groups/${group?.id}/vms/${vmA}`)).status, 204);
      assert.equal((await call('GET', `/api/v1/machine-groups/${group?.id}`)).body?.member_count, 1);
      assert.equal((await call('DELETE', `/api/v1/schedules/${schedule.id}`)).status, 204);
      assert.equal((await call('GET', `/api/v1/machine-groups/${group?.id}`)).body?.schedule_id, null);
    },
  );

  test(
    'run now records skip reasons; RPO on the list, the context, /metrics and the event stream',
    { timeout: 60_000 },
    async () => {
      const events: ServerEvent[] = [];
      const unsubscribe = t.deps.events.subscribe((event) => void events.push(event));
      const schedule = (
        await call('POST', '/api/v1/schedules', {
          name: 'every-30s',
          cron_expression: '*/30 * * * * *',
          target_rpo_seconds: 90,
        })
      ).body;
      const group = (await call('POST', '/api/v1/machine-groups', { name: 'web', schedule_id: schedule?.id })).body;
      const fresh = await syncedVm('rpo-fresh', 20);
      const stale = await syncedVm('rpo-stale', 600);
      for (const id of [fresh, stale])
        await call('POST', `/api/v1/machine-groups/${group?.id}/vms`, { vm_context_id: id });

      // No agent is connected: every VM is skipped with that reason, and the execution says so.
      const run = await call('POST', `/api/v1/schedules/${schedule?.id}/run-now`);
      assert.equal(run.status, 201);
      assert.equal(run.body?.jobs_created, 0);
      const details = run.body?.details as { vm_name: string; reason: string }[];
      assert.deepEqual(details.map((d) => [d.vm_name, d.reason]).sort(), [
        ['rpo-fresh', 'agent_offline'],
        ['rpo-stale', 'agent_offline'],
      ]);
      const history = (await call('GET', `/api/v1/schedules/${schedule?.id}/executions`)).body;
      assert.equal(history?.total, 1);
      assert.equal((history?.items as { triggered_by: string }[])[0]?.triggered_by, 'admin');

      const list = (await call('GET', '/api/v1/vm-contexts?search=rpo-')).body?.items as {
        vm_name: string;
        rpo: { state: string; age_seconds: number; target_seconds: number; reason: string | null };
      }[];
      const byName = new Map(list.map((c) => [c.vm_name, c.rpo]));
      assert.deepEqual([byName.get('rpo-fresh')?.state, byName.get('rpo-fresh')?.age_seconds], ['ok', 20]);
      assert.equal(byName.get('rpo-stale')?.state, 'breached');
      assert.equal(byName.get('rpo-stale')?.target_seconds, 90);
      assert.match(
        byName.get('rpo-stale')?.reason ?? '',
        /no agent is connected; last good sync 600 s ago, target 90 s/,
      );
      const detail = (await call('GET', `/api/v1/vm-contexts/${stale}`)).body;
      assert.deepEqual(detail?.alerts, ['rpo_breached']);
      assert.deepEqual((await call('GET', `/api/v1/vm-contexts/${fresh}`)).body?.alerts, []);

      const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: t.admin });
      assert.match(
        metrics.body,
        /migratekit_vm_rpo_seconds\{context_id="ctx-rpo-stale",vm_name="rpo-stale",schedule="every-30s"\} 600/,
      );
      assert.match(metrics.body, /migratekit_vm_rpo_breached\{context_id="ctx-rpo-stale",[^}]*\} 1/);
      assert.match(metrics.body, /migratekit_vm_rpo_breached\{context_id="ctx-rpo-fresh",[^}]*\} 0/);
      assert.match(metrics.body, /migratekit_rpo_vms\{state="breached"\} 1/);

      // The alert is published once when the VM enters breached, and once when the fresh VM ages past 90 s.
      await t.ctx.services.rpo.check();
      await t.ctx.services.rpo.check();
      const alerts = () => events.filter((e) => e.type === 'rpo.alert');
      assert.deepEqual(
        alerts().map((e) => e.type === 'rpo.alert' && [e.vm_name, e.alert]),
        [['rpo-stale', 'rpo_breached']],
      );
      await t.clock.advance(80_000);
      await t.ctx.services.rpo.check();
      assert.deepEqual(
        alerts().map((e) => e.type === 'rpo.alert' && [e.vm_name, e.alert]),
        [
          ['rpo-stale', 'rpo_breached'],
          ['rpo-fresh', 'rpo_breached'],
        ],
      );
      unsubscribe();
    },
  );
});
