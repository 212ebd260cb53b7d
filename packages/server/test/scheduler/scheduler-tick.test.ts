// The scheduler's acceptance on every engine (docs/scheduler.md): 1,000 VMs in 5 groups with limits -> one tick
// creates exactly the jobs the limits and priorities allow and records every other VM with its reason; the
// same tick again, or a manual run in the same second, creates nothing; two schedulers on two connections to
// one database create each job once. Jobs come from recordOnlyJobStarter (real repositories, the VM's job slot
// claimed in the database, no copy).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { createRepositories, type Repositories, type ScheduleExecutionRecord } from '@migratekit/db';
import { describeOnEngines } from '@migratekit/db/testing';
import { createLogger } from '../../src/logging/logger';
import type { ServerEvent } from '../../src/events/event-types';
import { SchedulerService } from '../../src/scheduler/scheduler.service';
import { recordOnlyJobStarter, seedEstate, type Estate } from './scheduler-estate';

const logger = createLogger({ level: 'silent' });

function schedulerOn(repositories: Repositories, clock: ManualClock, serverId: string, events: ServerEvent[] = []) {
  return new SchedulerService({
    repositories,
    clock,
    logger,
    jobs: recordOnlyJobStarter(repositories, clock),
    agentsOnline: () => true,
    publish: (event) => void events.push(event),
    serverId,
  });
}

function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item) ?? 'none';
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** No context has two active jobs, and every active job holds its context's slot. */
async function assertOneJobPerVm(repositories: Repositories): Promise<number> {
  const active = await repositories.replicationJobs.listActive();
  const perVm = countBy(active, (j) => j.vm_context_id);
  assert.deepEqual(
    Object.entries(perVm).filter(([, n]) => n > 1),
    [],
    'a VM with two active jobs',
  );
  return active.length;
}

const GROUPS = [
  { name: 'g1', priority: 1, maxConcurrentVms: 30, vms: 200 },
  { name: 'g2', priority: 2, maxConcurrentVms: 50, vms: 200 },
  { name: 'g3', priority: 3, maxConcurrentVms: 40, vms: 200 },
  { name: 'g4', priority: 4, maxConcurrentVms: 100, vms: 200 },
  { name: 'g5', priority: 5, maxConcurrentVms: 10, vms: 200 },
];

describeOnEngines('scheduler tick', ({ engine, database }) => {
  test(
    `[${engine}] 1,000 VMs in 5 groups: one tick creates what the limits and priorities allow, skips the rest with reasons`,
    { timeout: 240_000 },
    async () => {
      const clock = new ManualClock('2026-06-01T12:00:00.500Z');
      const repositories = createRepositories(database().db, clock);
      const estate = await seedEstate(database().db, repositories, clock, {
        prefix: 'acc',
        cron: '0 * * * * *',
        maxConcurrentJobs: 120,
        groups: GROUPS,
      });
      const g1 = estate.members.get('g1') ?? [];
      // State skips in g1 (the highest-priority group): picked among the VMs that would run first.
      const byPriority = [...g1].reverse();
      const [disabled, failedOver, cleanup, busy] = [
        byPriority.slice(0, 5),
        byPriority.slice(5, 8),
        byPriority.slice(8, 10),
        byPriority.slice(10, 14),
      ];
      const g1Id = estate.groups.get('g1') ?? '';
      for (const id of disabled) await repositories.machineGroups.updateMember(g1Id, id, { enabled: false });
      for (const id of failedOver) await repositories.contexts.transitionStatus(id, 'failed_over_test');
      for (const id of cleanup) await repositories.contexts.transitionStatus(id, 'cleanup_required');
      const starter = recordOnlyJobStarter(repositories, clock);
      for (const id of busy)
        await starter.start(id, { scheduledBy: 'operator', scheduleExecutionId: 'manual', groupId: null });

      const events: ServerEvent[] = [];
      const scheduler = schedulerOn(repositories, clock, 'server-a', events);
      await clock.advance(59_500); // 12:01:00.000, the first tick
      const round = await scheduler.runRound();
      assert.equal(round.leader, true);
      assert.equal(round.executions.length, 1);
      const execution = round.executions[0] as ScheduleExecutionRecord;
      assert.equal(execution.scheduled_at.toISOString(), '2026-06-01T12:01:00.000Z');
      assert.equal(execution.status, 'running');

      // g1 runs 4 already: 26 more; g2 50; g3 40; then the schedule's 120 are in use.
      const details = execution.details ?? [];
      const created = details.filter((d) => d.outcome === 'created');
      assert.equal(execution.jobs_created, 116);
      assert.equal(created.length, 116);
      const groupName = new Map([...estate.groups].map(([name, id]) => [id, name]));
      assert.deepEqual(
        countBy(created, (d) => groupName.get(d.group_id ?? '')),
        { g1: 26, g2: 50, g3: 40 },
      );
      // Within a group, member priority decides: g1's first 26 eligible VMs by priority, nobody else.
      const blocked = new Set([...disabled, ...failedOver, ...cleanup, ...busy]);
      const expectedG1 = byPriority.filter((id) => !blocked.has(id)).slice(0, 26);
      assert.deepEqual(
        created.filter((d) => d.group_id === g1Id).map((d) => d.vm_context_id),
        expectedG1,
      );
      const skipped = details.filter((d) => d.outcome === 'skipped');
      assert.deepEqual(
        countBy(skipped, (d) => d.reason),
        {
          membership_disabled: 5,
          failover_state: 3,
          cleanup_required: 2,
          active_job: 4,
          group_limit: 160 + 150 + 160,
          schedule_limit: 400,
        },
      );
      assert.equal(execution.jobs_skipped, 884);
      assert.equal(execution.vms_eligible, 1000 - 14);
      assert.equal(await assertOneJobPerVm(repositories), 120);
      const rows = await repositories.replicationJobs.listByExecution(execution.id);
      assert.equal(rows.length, 116);
      assert.ok(rows.every((r) => r.scheduled_by === `schedule:${estate.schedule.name}`));
      assert.ok(events.some((e) => e.type === 'schedule.execution' && e.execution_id === execution.id));

      // The same second again: the cron tick is already taken, and a manual run finds every slot in use.
      const again = await scheduler.runRound();
      assert.deepEqual(again.executions, []);
      const manual = await scheduler.runNow(estate.schedule.id, 'operator');
      assert.equal(manual.jobs_created, 0);
      assert.equal(manual.status, 'completed');
      assert.equal(await assertOneJobPerVm(repositories), 120);
      const ticks = await repositories.scheduleExecutions.list({ scheduleId: estate.schedule.id });
      assert.deepEqual(
        countBy(ticks, (e) => e.triggered_by),
        { scheduler: 1, operator: 1 },
      );
      // The suite shares one database: later tests see only their own schedules.
      await repositories.schedules.update(estate.schedule.id, { enabled: false });
    },
  );

  test(
    `[${engine}] two schedulers on two connections: one leader, one execution per tick, each job once`,
    { timeout: 240_000 },
    async () => {
      const clock = new ManualClock('2026-06-02T08:00:00.250Z');
      const first = createRepositories(database().db, clock);
      const second = createRepositories(database().openConnection().db, clock);
      const estate: Estate = await seedEstate(database().db, first, clock, {
        prefix: 'two',
        cron: '*/30 * * * * *',
        maxConcurrentJobs: 1000,
        groups: [
          { name: 'a', priority: 1, maxConcurrentVms: 1000, vms: 60 },
          { name: 'b', priority: 2, maxConcurrentVms: 1000, vms: 60 },
        ],
      });
      const a = schedulerOn(first, clock, 'server-a');
      const b = schedulerOn(second, clock, 'server-b');
      await clock.advance(29_750); // 08:00:30.000
      const [ra, rb] = await Promise.all([a.runRound(), b.runRound()]);
      assert.equal([ra.leader, rb.leader].filter(Boolean).length, 1, 'exactly one leader');
      const executions = [...ra.executions, ...rb.executions].filter((e) => e.schedule_id === estate.schedule.id);
      assert.equal(executions.length, 1);
      assert.equal(executions[0]?.jobs_created, 120);

      // Without the lease (a leader change mid-tick): the tick key and the job slots still hold.
      await clock.advance(30_000); // 08:01:00.000
      const [ma, mb] = await Promise.all([a.runNow(estate.schedule.id, 'a'), b.runNow(estate.schedule.id, 'b')]);
      assert.equal(ma.jobs_created + mb.jobs_created, 0, 'every VM already has its job');
      for (const id of [...(estate.members.get('a') ?? []), ...(estate.members.get('b') ?? [])])
        await first.contexts.releaseJob(id, (await first.contexts.require(id)).current_job_id ?? '', 'succeeded');
      for (const job of await first.replicationJobs.listActive())
        await first.replicationJobs.update(job.id, { status: 'completed', completed_at: clock.now() });
      const [na, nb] = await Promise.all([a.runNow(estate.schedule.id, 'a'), b.runNow(estate.schedule.id, 'b')]);
      assert.equal(na.jobs_created + nb.jobs_created, 120, 'each VM got exactly one job from the two runs');
      assert.equal(await assertOneJobPerVm(first), 120);
      // Leadership: server-b takes over only once server-a's lease expired.
      assert.equal((await b.runRound()).leader, ra.leader ? false : true);
      await a.stop();
      await b.stop();
      await first.schedules.update(estate.schedule.id, { enabled: false });
    },
  );

  test(
    `[${engine}] missed ticks after downtime: 'skip' records them once, 'run_once' runs once`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-06-03T00:00:00.000Z');
      const repositories = createRepositories(database().db, clock);
      const skip = await seedEstate(database().db, repositories, clock, {
        prefix: 'skip',
        cron: '0 */5 * * * *',
        maxConcurrentJobs: 5,
        groups: [{ name: 'x', priority: 1, maxConcurrentVms: 5, vms: 3 }],
      });
      const once = await seedEstate(database().db, repositories, clock, {
        prefix: 'once',
        cron: '0 */5 * * * *',
        maxConcurrentJobs: 5,
        groups: [{ name: 'y', priority: 1, maxConcurrentVms: 5, vms: 3 }],
      });
      await repositories.schedules.update(once.schedule.id, { catch_up_policy: 'run_once' });
      const scheduler = schedulerOn(repositories, clock, 'server-c');
      await clock.advance(62 * 60_000 + 10_000); // down for an hour: 12 ticks missed, the latest 2m10s ago
      await scheduler.runRound();
      const [skipped] = await repositories.scheduleExecutions.list({ scheduleId: skip.schedule.id });
      assert.equal(skipped?.status, 'skipped');
      assert.match(skipped?.error ?? '', /missed 12 tick/);
      assert.equal(skipped?.jobs_created, 0);
      const onceRuns = await repositories.scheduleExecutions.list({ scheduleId: once.schedule.id });
      assert.deepEqual(
        onceRuns.map((e) => [e.triggered_by, e.jobs_created]),
        [['scheduler:catch-up', 3]],
      );
      // Back on time: the next tick runs normally for both.
      await clock.advance(3 * 60_000 - 10_000); // 01:05:00
      const next = await scheduler.runRound();
      const mine = new Set([skip.schedule.id, once.schedule.id]);
      assert.deepEqual(
        next.executions.filter((e) => mine.has(e.schedule_id ?? '')).map((e) => e.triggered_by),
        ['scheduler', 'scheduler'],
      );
      await scheduler.stop();
      for (const id of mine) await repositories.schedules.update(id, { enabled: false });
    },
  );
});
