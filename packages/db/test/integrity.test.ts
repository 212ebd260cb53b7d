// Database integrity on every engine: cascades, unique keys, UTC timestamps and race-safe status changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, MigrateKitError, type ContextStatus } from '@migratekit/core';
import { sql, type Kysely } from 'kysely';
import { createRepositories, isUniqueViolation, type Repositories } from '../src/repositories';
import type { DatabaseSchema, TableName } from '../src/schema';
import { describeOnEngines } from '../src/testing';
import { createContext, uniqueSuffix } from './fixtures';

const DEPENDENT_TABLES = [
  'replication_jobs',
  'vm_disks',
  'cloudstack_volumes',
  'device_mappings',
  'volume_operations',
  'nbd_exports',
  'network_mappings',
  'failover_jobs',
  'job_tracking',
  'vm_group_memberships',
] as const satisfies readonly TableName[];

async function countFor(db: Kysely<DatabaseSchema>, table: (typeof DEPENDENT_TABLES)[number], contextId: string) {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('vm_context_id', '=', contextId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function fillContext(repos: Repositories, contextId: string, groupId: string): Promise<{ jobLogId: string }> {
  const suffix = uniqueSuffix();
  const job = await repos.replicationJobs.create({ vm_context_id: contextId, replication_type: 'initial' });
  await repos.vmDisks.create({
    vm_context_id: contextId,
    job_id: job.id,
    disk_id: 'disk-2000',
    capacity_bytes: 8 * 1024 ** 3,
    sync_status: 'pending',
    nics: [{ network_name: 'VM Network' }],
  });
  await repos.cloudstackVolumes.create({
    vm_context_id: contextId,
    volume_id: `vol-${suffix}`,
    name: 'disk-2000',
    size_bytes: 8 * 1024 ** 3,
    mode: 'oma',
  });
  await repos.deviceMappings.upsert({
    volume_id: `vol-${suffix}`,
    vm_context_id: contextId,
    linux_device_path: '/dev/vdb',
  });
  await repos.volumeOperations.create({ vm_context_id: contextId, type: 'create', request: { size: 8 } });
  await repos.nbdExports.upsert({
    export_name: `vol-${suffix}`,
    vm_context_id: contextId,
    volume_id: `vol-${suffix}`,
    device_path: '/dev/vdb',
    status: 'active',
  });
  await repos.networkMappings.upsert({
    vm_context_id: contextId,
    source_network_name: 'VM Network',
    is_test_network: false,
    destination_network_id: 'net-prod',
  });
  await repos.failoverJobs.create({ vm_context_id: contextId, job_type: 'test', source_vm_name: 'vm' });
  const jobLogId = `job-${suffix}`;
  await repos.jobLog.createJob({
    id: jobLogId,
    external_job_id: `ext-${suffix}`,
    vm_context_id: contextId,
    job_type: 'replication',
    operation: 'initial copy',
  });
  await repos.jobLog.startStep(jobLogId, 'snapshot');
  await repos.jobLog.appendLog({ job_id: jobLogId, level: 'info', message: 'snapshot taken', fields: { a: 1 } });
  await repos.machineGroups.addMember({ group_id: groupId, vm_context_id: contextId });
  return { jobLogId };
}

describeOnEngines('database integrity', ({ engine, database }) => {
  test(
    `[${engine}] deleting a context cascades to every dependent row and leaves other contexts alone`,
    { timeout: 120_000 },
    async () => {
      const { db } = database();
      const repos = createRepositories(db);
      const group = await repos.machineGroups.create({
        name: `g-${uniqueSuffix()}`,
        max_concurrent_vms: 2,
        priority: 1,
      });
      const doomed = await createContext(repos);
      const kept = await createContext(repos);
      const { jobLogId } = await fillContext(repos, doomed.context_id, group.id);
      await fillContext(repos, kept.context_id, group.id);
      for (const table of DEPENDENT_TABLES) assert.equal(await countFor(db, table, doomed.context_id), 1, table);

      assert.equal(await repos.contexts.delete(doomed.context_id), true);

      for (const table of DEPENDENT_TABLES) {
        assert.equal(await countFor(db, table, doomed.context_id), 0, `${table} rows of the deleted context`);
        assert.equal(await countFor(db, table, kept.context_id), 1, `${table} rows of the other context`);
      }
      assert.deepEqual(await repos.jobLog.listSteps(jobLogId), []);
      assert.deepEqual(await repos.jobLog.listLogs(jobLogId), []);
      assert.equal(await repos.contexts.get(doomed.context_id), undefined);
      assert.notEqual(await repos.machineGroups.get(group.id), undefined);
    },
  );

  test(
    `[${engine}] one production and one test mapping per source network (unique dual key)`,
    { timeout: 120_000 },
    async () => {
      const { db } = database();
      const repos = createRepositories(db);
      const ctx = await createContext(repos);
      const base = { vm_context_id: ctx.context_id, source_network_name: 'VM Network' };
      await repos.networkMappings.upsert({ ...base, is_test_network: false, destination_network_id: 'net-prod' });
      await repos.networkMappings.upsert({ ...base, is_test_network: true, destination_network_id: 'net-test' });
      const replaced = await repos.networkMappings.upsert({
        ...base,
        is_test_network: true,
        destination_network_id: 'net-test-2',
      });
      assert.equal(replaced.destination_network_id, 'net-test-2');
      assert.equal(replaced.is_test_network, true);

      const rows = await repos.networkMappings.listByContext(ctx.context_id);
      assert.deepEqual(
        rows.map((r) => [r.source_network_name, r.is_test_network, r.destination_network_id]),
        [
          ['VM Network', false, 'net-prod'],
          ['VM Network', true, 'net-test-2'],
        ],
      );

      // The key itself, not only the repository, refuses a second test mapping.
      const now = new Date();
      await assert.rejects(
        db
          .insertInto('network_mappings')
          .values({
            id: `dup-${uniqueSuffix()}`,
            ...base,
            is_test_network: true,
            destination_network_id: 'other',
            destination_network_name: null,
            validation_status: 'pending',
            last_validated: null,
            created_at: now,
            updated_at: now,
          })
          .execute(),
        (error) => isUniqueViolation(error),
      );

      assert.equal(
        await repos.networkMappings.delete({
          contextId: ctx.context_id,
          sourceNetworkName: 'VM Network',
          isTestNetwork: true,
        }),
        true,
      );
      const left = await repos.networkMappings.listByContext(ctx.context_id);
      assert.deepEqual(
        left.map((r) => r.is_test_network),
        [false],
      );
    },
  );

  test(`[${engine}] timestamps round-trip in UTC with millisecond precision`, { timeout: 120_000 }, async () => {
    const { db } = database();
    const instants = ['2026-03-04T05:06:07.891Z', '2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.001Z'];
    for (const instant of instants) {
      const repos = createRepositories(db, new ManualClock(instant));
      const ctx = await createContext(repos);
      const read = await repos.contexts.require(ctx.context_id);
      assert.equal(read.created_at.toISOString(), instant);
      assert.equal(read.last_status_change.getTime(), new Date(instant).getTime());
      assert.equal(read.first_job_at, null);

      // What is stored is the UTC wall time, whatever the driver does on the way.
      const expected = instant.replace('T', ' ').replace('Z', '');
      const stored = await db
        .selectFrom('vm_replication_contexts')
        .select(
          engine === 'postgres'
            ? sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')`.as('v')
            : engine === 'mariadb'
              ? sql<string>`cast(created_at as char)`.as('v')
              : sql<string>`replace(replace(created_at, 'T', ' '), 'Z', '')`.as('v'),
        )
        .where('context_id', '=', ctx.context_id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.v, expected);
    }
  });

  test(`[${engine}] vmware_vm_id is unique among active contexts only`, { timeout: 120_000 }, async () => {
    const repos = createRepositories(database().db);
    const vmwareVmId = `4201-${uniqueSuffix()}`;
    const first = await createContext(repos, { vmware_vm_id: vmwareVmId });
    await assert.rejects(createContext(repos, { vmware_vm_id: vmwareVmId }), (error) => {
      assert.ok(error instanceof MigrateKitError);
      assert.equal(error.code, 'MKE_VM_ALREADY_MANAGED');
      return true;
    });
    for (const status of ['replicating', 'ready_for_failover', 'failed_over_live', 'completed'] as ContextStatus[]) {
      await repos.contexts.transitionStatus(first.context_id, status);
    }
    assert.equal(await repos.contexts.findActiveByVmwareVmId(vmwareVmId), undefined);
    const second = await createContext(repos, { vmware_vm_id: vmwareVmId });
    assert.equal((await repos.contexts.findActiveByVmwareVmId(vmwareVmId))?.context_id, second.context_id);
  });

  test(`[${engine}] an illegal transition is refused with the current status`, { timeout: 120_000 }, async () => {
    const repos = createRepositories(database().db);
    const ctx = await createContext(repos);
    await assert.rejects(repos.contexts.transitionStatus(ctx.context_id, 'failed_over_live'), (error) => {
      assert.ok(error instanceof MigrateKitError);
      assert.equal(error.code, 'MKE_ILLEGAL_TRANSITION');
      assert.equal(error.details?.current_status, 'discovered');
      return true;
    });
    assert.equal((await repos.contexts.require(ctx.context_id)).current_status, 'discovered');
  });

  test(
    `[${engine}] two concurrent status updates on two connections cannot both win`,
    { timeout: 120_000 },
    async () => {
      const { db } = database();
      const second = database().openConnection();
      const reposA = createRepositories(db);
      const reposB = createRepositories(second.db);
      for (let round = 0; round < 8; round++) {
        const ctx = await createContext(reposA);
        await reposA.contexts.transitionStatus(ctx.context_id, 'replicating');
        await reposA.contexts.transitionStatus(ctx.context_id, 'ready_for_failover');
        // Both are legal from ready_for_failover, but neither is legal from the other.
        const [a, b] =
          round % 2 === 0
            ? (['failed_over_test', 'failed_over_live'] as const)
            : (['failed_over_live', 'failed_over_test'] as const);
        const results = await Promise.allSettled([
          reposA.contexts.transitionStatus(ctx.context_id, a),
          reposB.contexts.transitionStatus(ctx.context_id, b),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1, `round ${round}: exactly one update wins`);
        assert.equal(lost.length, 1);
        const error = lost[0]?.reason as MigrateKitError;
        assert.equal(error.code, 'MKE_ILLEGAL_TRANSITION');
        const final = await reposA.contexts.require(ctx.context_id);
        assert.equal(error.details?.current_status, final.current_status);
        assert.ok(final.current_status === 'failed_over_test' || final.current_status === 'failed_over_live');
      }
    },
  );

  test(
    `[${engine}] two concurrent job claims on two connections: one wins, the other is MKE_JOB_ACTIVE`,
    { timeout: 120_000 },
    async () => {
      const { db } = database();
      const reposA = createRepositories(db);
      const reposB = createRepositories(database().openConnection().db);
      const ctx = await createContext(reposA);
      const results = await Promise.allSettled([
        reposA.contexts.claimJob(ctx.context_id, 'job-a'),
        reposB.contexts.claimJob(ctx.context_id, 'job-b'),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal((refused?.reason as MigrateKitError).code, 'MKE_JOB_ACTIVE');
      const after = await reposA.contexts.require(ctx.context_id);
      assert.equal(after.total_jobs_run, 1);
      assert.ok(after.current_job_id === 'job-a' || after.current_job_id === 'job-b');
      assert.equal(await reposA.contexts.releaseJob(ctx.context_id, after.current_job_id ?? '', 'succeeded'), true);
      const released = await reposA.contexts.require(ctx.context_id);
      assert.equal(released.current_job_id, null);
      assert.equal(released.successful_jobs, 1);
      assert.equal(released.last_successful_job_id, after.current_job_id);
    },
  );
});
