// A scheduler estate for tests and the bench: schedules, machine groups and many VMs, written in bulk so a
// 10,000-VM estate takes seconds on every engine; and the record-only job starter, which claims a VM's job slot
// and writes its replication job through the real repositories without copying anything.
import { newJobId, type Clock } from '@migratekit/core';
import type { DatabaseSchema, Repositories, ScheduleRecord } from '@migratekit/db';
import type { Insertable, Kysely } from 'kysely';
import type { SchedulerJobStarter } from '../../src/scheduler/job-starter';

export interface EstateGroup {
  name: string;
  priority: number;
  maxConcurrentVms: number;
  vms: number;
}

export interface Estate {
  schedule: ScheduleRecord;
  /** Group id by name. */
  groups: Map<string, string>;
  /** Context ids by group name, in insertion order (member priority is assigned in reverse: last first). */
  members: Map<string, string[]>;
}

const CHUNK = 200;

async function insertChunked<T extends 'vm_replication_contexts' | 'vm_group_memberships'>(
  db: Kysely<DatabaseSchema>,
  table: T,
  rows: readonly Insertable<DatabaseSchema[T]>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

export async function seedEstate(
  db: Kysely<DatabaseSchema>,
  repositories: Repositories,
  clock: Clock,
  options: { prefix: string; cron: string; maxConcurrentJobs: number; groups: readonly EstateGroup[] },
): Promise<Estate> {
  const schedule = await repositories.schedules.create({
    name: `${options.prefix}-schedule`,
    description: null,
    cron_expression: options.cron,
    timezone: 'UTC',
    enabled: true,
    replication_type: 'auto',
    max_concurrent_jobs: options.maxConcurrentJobs,
    retry_attempts: 0,
    retry_delay: 60,
    skip_if_running: false,
    created_by: 'test',
    last_run_at: null,
    next_run_at: null,
  });
  const now = clock.now();
  const groups = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const spec of options.groups) {
    const group = await repositories.machineGroups.create({
      name: `${options.prefix}-${spec.name}`,
      description: null,
      schedule_id: schedule.id,
      max_concurrent_vms: spec.maxConcurrentVms,
      priority: spec.priority,
      created_by: 'test',
    });
    groups.set(spec.name, group.id);
    const ids = Array.from(
      { length: spec.vms },
      (_, i) => `ctx-${options.prefix}-${spec.name}-${String(i).padStart(5, '0')}`,
    );
    members.set(spec.name, ids);
    await insertChunked(
      db,
      'vm_replication_contexts',
      ids.map((id, i) => ({
        context_id: id,
        vm_name: `${spec.name}-vm-${i}`,
        vmware_vm_id: `uuid-${id}`,
        active_vmware_vm_id: `uuid-${id}`,
        vcenter_host: 'vcenter.lab.local',
        current_status: 'ready_for_failover',
        current_job_id: null,
        last_successful_job_id: null,
        created_at: now,
        updated_at: now,
        last_status_change: now,
      })),
    );
    await insertChunked(
      db,
      'vm_group_memberships',
      ids.map((id, i) => ({
        id: `member-${id}`,
        group_id: group.id,
        vm_context_id: id,
        enabled: true,
        // Reverse priority: the last inserted VM runs first, so order by insertion would be wrong.
        priority: spec.vms - i,
        schedule_override_id: null,
        created_at: now,
        updated_at: now,
      })),
    );
  }
  return { schedule, groups, members };
}

/** Starts no copy: claims the VM's slot (MKE_JOB_ACTIVE when taken) and records a pending job, like the service. */
export function recordOnlyJobStarter(repositories: Repositories, clock: Clock): SchedulerJobStarter {
  return {
    async start(contextId, request) {
      const id = newJobId(clock.now());
      await repositories.contexts.claimJob(contextId, id);
      const lastOk = await repositories.replicationJobs.findLastCompletedForContext(contextId);
      await repositories.replicationJobs.create({
        id,
        vm_context_id: contextId,
        replication_type: lastOk === undefined ? 'initial' : 'incremental',
        current_operation: 'queued',
        scheduled_by: request.scheduledBy,
        schedule_execution_id: request.scheduleExecutionId,
        vm_group_id: request.groupId,
      });
      return { id };
    },
  };
}
