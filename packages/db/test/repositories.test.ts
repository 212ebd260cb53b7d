// Repository behaviour on every engine: listing, paging and search, JSON columns, first-end-wins updates,
// upserts and unique names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, MigrateKitError } from '@migratekit/core';
import { createRepositories } from '../src/repositories';
import { describeOnEngines } from '../src/testing';
import { createContext, uniqueSuffix } from './fixtures';

describeOnEngines('repositories', ({ engine, database }) => {
  test(
    `[${engine}] contexts list with status filter, case-insensitive search, sort and paging`,
    { timeout: 120_000 },
    async () => {
      const repos = createRepositories(database().db);
      const tag = uniqueSuffix();
      const names = [`Alpha-${tag}`, `bravo-${tag}`, `CHARLIE-${tag}`, `delta_${tag}`];
      const contexts = [];
      for (const vm_name of names) contexts.push(await createContext(repos, { vm_name }));
      await repos.contexts.transitionStatus(contexts[1]?.context_id ?? '', 'replicating');

      const all = await repos.contexts.list({ search: tag.toUpperCase() }, { sort: 'vm_name', limit: 2 });
      assert.equal(all.total, 4);
      assert.equal(all.items.length, 2);
      const next = await repos.contexts.list({ search: tag }, { sort: 'vm_name', limit: 2, offset: 2 });
      const seen = [...all.items, ...next.items].map((c) => c.vm_name);
      assert.equal(new Set(seen).size, 4);
      assert.deepEqual([...seen].sort(), [...names].sort());

      const replicating = await repos.contexts.list({ search: tag, status: ['replicating'] });
      assert.deepEqual(
        replicating.items.map((c) => c.vm_name),
        [`bravo-${tag}`],
      );
      // '_' in the search text is a literal underscore, not a wildcard.
      const underscore = await repos.contexts.list({ search: `_${tag}` });
      assert.deepEqual(
        underscore.items.map((c) => c.vm_name),
        [`delta_${tag}`],
      );
    },
  );

  test(
    `[${engine}] contexts that never ran a job sort last by last_job_at in both directions`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      const tag = uniqueSuffix();
      const never = await createContext(repos, { vm_name: `never-${tag}` });
      const early = await createContext(repos, { vm_name: `early-${tag}` });
      await repos.contexts.claimJob(early.context_id, 'job-early');
      await clock.advance(60_000);
      const late = await createContext(repos, { vm_name: `late-${tag}` });
      await repos.contexts.claimJob(late.context_id, 'job-late');
      const order = async (direction: 'asc' | 'desc') =>
        (await repos.contexts.list({ search: tag }, { sort: 'last_job_at', direction })).items.map((c) => c.context_id);
      assert.deepEqual(await order('asc'), [early.context_id, late.context_id, never.context_id]);
      assert.deepEqual(await order('desc'), [late.context_id, early.context_id, never.context_id]);
    },
  );

  test(`[${engine}] context spec updates and name lookups`, { timeout: 120_000 }, async () => {
    const repos = createRepositories(database().db, new ManualClock('2026-02-01T00:00:00.000Z'));
    const ctx = await createContext(repos, { vm_name: `pgtest-${uniqueSuffix()}` });
    const updated = await repos.contexts.update(ctx.context_id, { cpu_count: 4, memory_mb: 8192, firmware: 'efi' });
    assert.equal(updated.cpu_count, 4);
    assert.equal(updated.firmware, 'efi');
    assert.deepEqual(
      (await repos.contexts.findActiveByVmName(ctx.vm_name)).map((c) => c.context_id),
      [ctx.context_id],
    );
    await assert.rejects(
      repos.contexts.update('ctx-missing', { cpu_count: 1 }),
      (error) => error instanceof MigrateKitError && error.code === 'MKE_NOT_FOUND',
    );
  });

  test(
    `[${engine}] replication jobs: progress only while active, the first end wins`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-04-01T08:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      const ctx = await createContext(repos);
      const job = await repos.replicationJobs.create({
        vm_context_id: ctx.context_id,
        replication_type: 'initial',
        total_bytes: 5 * 1024 ** 3,
      });
      assert.equal(job.status, 'pending');
      assert.equal((await repos.replicationJobs.findActiveForContext(ctx.context_id))?.id, job.id);
      await repos.replicationJobs.update(job.id, { status: 'replicating', started_at: clock.now() });
      await clock.advance(1000);
      assert.equal(
        await repos.replicationJobs.recordProgress(job.id, { progress_percent: 40, bytes_transferred: 2 * 1024 ** 3 }),
        true,
      );
      const progressed = await repos.replicationJobs.require(job.id);
      assert.equal(progressed.bytes_transferred, 2 * 1024 ** 3);
      assert.equal(progressed.last_progress_at?.toISOString(), '2026-04-01T08:00:01.000Z');

      assert.equal(await repos.replicationJobs.finish(job.id, 'completed'), true);
      assert.equal(await repos.replicationJobs.finish(job.id, 'failed', { message: 'late' }), false);
      assert.equal(await repos.replicationJobs.recordProgress(job.id, { progress_percent: 10 }), false);
      const done = await repos.replicationJobs.require(job.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.progress_percent, 100);
      assert.equal(done.error_message, null);
      assert.equal((await repos.replicationJobs.findLastCompletedForContext(ctx.context_id))?.id, job.id);
      assert.equal(await repos.replicationJobs.findActiveForContext(ctx.context_id), undefined);
    },
  );

  test(
    `[${engine}] JSON columns round-trip and per-job disk rows give the latest view`,
    { timeout: 120_000 },
    async () => {
      const repos = createRepositories(database().db);
      const ctx = await createContext(repos);
      const nics = [{ network_name: 'VLAN 100 - Prod', mac_address: '00:50:56:aa:bb:cc', connected: true }];
      for (const changeId of ['52 aa/1', '52 aa/2']) {
        const job = await repos.replicationJobs.create({
          vm_context_id: ctx.context_id,
          replication_type: 'incremental',
        });
        await repos.vmDisks.create({
          vm_context_id: ctx.context_id,
          job_id: job.id,
          disk_id: 'disk-2000',
          capacity_bytes: 2 ** 40,
          sync_status: 'completed',
          disk_change_id: changeId,
          nics,
        });
      }
      const latest = await repos.vmDisks.listLatestByContext(ctx.context_id);
      assert.equal(latest.length, 1);
      assert.equal(latest[0]?.disk_change_id, '52 aa/2');
      assert.equal(latest[0]?.capacity_bytes, 2 ** 40);
      assert.deepEqual(latest[0]?.nics, nics);

      const op = await repos.volumeOperations.create({
        type: 'attach',
        volume_id: 'v1',
        request: { vm: 'x', deviceId: 4 },
      });
      assert.equal(await repos.volumeOperations.markExecuting(op.id), true);
      assert.equal(await repos.volumeOperations.markExecuting(op.id), false);
      const completed = await repos.volumeOperations.complete(op.id, { jobid: 'cs-1', nested: { ok: true } });
      assert.deepEqual(completed.request, { vm: 'x', deviceId: 4 });
      assert.deepEqual(completed.response, { jobid: 'cs-1', nested: { ok: true } });
      assert.ok(completed.completed_at instanceof Date);

      const failover = await repos.failoverJobs.create({
        vm_context_id: ctx.context_id,
        job_type: 'live',
        source_vm_name: ctx.vm_name,
        options: { power_off_source: true },
      });
      const patched = await repos.failoverJobs.update(failover.job_id, { volume_snapshots: { 'vol-1': 'snap-1' } });
      assert.deepEqual(patched.volume_snapshots, { 'vol-1': 'snap-1' });
      assert.deepEqual(patched.options, { power_off_source: true });
      assert.equal((await repos.failoverJobs.findLatest(ctx.context_id, 'live'))?.job_id, failover.job_id);
    },
  );

  test(`[${engine}] device mappings and NBD exports upsert by key`, { timeout: 120_000 }, async () => {
    const repos = createRepositories(database().db);
    const ctx = await createContext(repos);
    const volumeId = `vol-${uniqueSuffix()}`;
    await repos.deviceMappings.upsert({
      volume_id: volumeId,
      vm_context_id: ctx.context_id,
      linux_device_path: '/dev/vdb',
    });
    const moved = await repos.deviceMappings.upsert({
      volume_id: volumeId,
      vm_context_id: ctx.context_id,
      linux_device_path: '/dev/vdc',
      size: 1024,
    });
    assert.equal(moved.linux_device_path, '/dev/vdc');
    assert.equal((await repos.deviceMappings.listByContext(ctx.context_id)).length, 1);

    const exportName = `vol-${uniqueSuffix()}`;
    const base = { export_name: exportName, vm_context_id: ctx.context_id, volume_id: volumeId, status: 'active' };
    await repos.nbdExports.upsert({ ...base, device_path: '/dev/vdb' });
    const again = await repos.nbdExports.upsert({ ...base, device_path: '/dev/vdd' });
    assert.equal(again.device_path, '/dev/vdd');
    assert.equal((await repos.nbdExports.list({ contextId: ctx.context_id })).length, 1);
    assert.equal(await repos.nbdExports.delete(exportName), true);
    assert.equal(await repos.nbdExports.get(exportName), undefined);
  });

  test(
    `[${engine}] schedules, groups and memberships keep names unique and members ordered`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-06-01T00:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      const name = `nightly-${uniqueSuffix()}`;
      const schedule = await repos.schedules.create({
        name,
        cron_expression: '0 0 2 * * *',
        timezone: 'Europe/Berlin',
        enabled: true,
        replication_type: 'auto',
        max_concurrent_jobs: 3,
        retry_attempts: 2,
        retry_delay: 300,
        skip_if_running: true,
      });
      assert.equal(schedule.enabled, true);
      assert.equal(schedule.skip_if_running, true);
      await assert.rejects(
        repos.schedules.create({ ...schedule, id: undefined, created_at: undefined, updated_at: undefined } as never),
        (error) => error instanceof MigrateKitError && error.code === 'MKE_DUPLICATE',
      );
      assert.equal((await repos.schedules.update(schedule.id, { enabled: false })).enabled, false);
      assert.deepEqual((await repos.schedules.list({ enabled: false })).map((s) => s.id).includes(schedule.id), true);

      const group = await repos.machineGroups.create({
        name: `group-${uniqueSuffix()}`,
        schedule_id: schedule.id,
        max_concurrent_vms: 2,
        priority: 10,
      });
      const [a, b, c] = [await createContext(repos), await createContext(repos), await createContext(repos)];
      await repos.machineGroups.addMember({ group_id: group.id, vm_context_id: a.context_id, priority: 5 });
      await repos.machineGroups.addMember({ group_id: group.id, vm_context_id: b.context_id, priority: 1 });
      await repos.machineGroups.addMember({
        group_id: group.id,
        vm_context_id: c.context_id,
        priority: 3,
        enabled: false,
      });
      await assert.rejects(
        repos.machineGroups.addMember({ group_id: group.id, vm_context_id: a.context_id }),
        (error) => error instanceof MigrateKitError && error.code === 'MKE_DUPLICATE',
      );
      assert.deepEqual(
        (await repos.machineGroups.listMembers(group.id)).map((m) => m.vm_context_id),
        [b.context_id, c.context_id, a.context_id],
      );
      assert.deepEqual(
        (await repos.machineGroups.listMembers(group.id, { enabledOnly: true })).map((m) => m.vm_context_id),
        [b.context_id, a.context_id],
      );
      assert.deepEqual(
        (await repos.machineGroups.listBySchedule(schedule.id)).map((g) => g.id),
        [group.id],
      );

      const execution = await repos.scheduleExecutions.create({
        schedule_id: schedule.id,
        group_id: group.id,
        scheduled_at: clock.now(),
        triggered_by: 'scheduler',
      });
      await repos.scheduleExecutions.update(execution.id, {
        status: 'completed',
        vms_eligible: 3,
        jobs_created: 1,
        jobs_skipped: 2,
        details: [
          { vm_context_id: a.context_id, outcome: 'created', job_id: 'job-1' },
          { vm_context_id: b.context_id, outcome: 'skipped', reason: 'active job' },
        ],
      });
      const [read] = await repos.scheduleExecutions.list({ scheduleId: schedule.id });
      assert.equal(read?.jobs_skipped, 2);
      assert.equal(read?.details?.[1]?.reason, 'active job');

      // Deleting the schedule unlinks its groups and removes its executions.
      assert.equal(await repos.schedules.delete(schedule.id), true);
      assert.equal((await repos.machineGroups.require(group.id)).schedule_id, null);
      assert.deepEqual(await repos.scheduleExecutions.list({ scheduleId: schedule.id }), []);
    },
  );

  test(`[${engine}] transactions commit together or not at all`, { timeout: 120_000 }, async () => {
    const repos = createRepositories(database().db);
    const ctx = await createContext(repos);
    await assert.rejects(
      repos.transaction(async (tx) => {
        await tx.contexts.transitionStatus(ctx.context_id, 'replicating');
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal((await repos.contexts.require(ctx.context_id)).current_status, 'discovered');
    await repos.transaction(async (tx) => {
      await tx.contexts.transitionStatus(ctx.context_id, 'replicating');
      await tx.replicationJobs.create({ vm_context_id: ctx.context_id, replication_type: 'initial' });
    });
    assert.equal((await repos.contexts.require(ctx.context_id)).current_status, 'replicating');
    assert.equal((await repos.replicationJobs.list({ contextId: ctx.context_id })).total, 1);
  });
});
