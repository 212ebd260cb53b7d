// What the harness reads from the database while the servers work (read only): replication jobs by status, the
// scheduler lease, and the workflow lease of jobs (job_tracking.lease_owner), to time the takeover after a kill.
import { replicationJobStatuses } from '@migratekit/core';
import type { DatabaseHandle } from '@migratekit/db';

export const ACTIVE_REPLICATION: readonly string[] = replicationJobStatuses.values.filter(
  (s) => !replicationJobStatuses.isFinal(s),
);

export interface JobRow {
  id: string;
  vm_context_id: string;
  status: string;
  schedule_execution_id: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export async function replicationJobs(handle: DatabaseHandle): Promise<JobRow[]> {
  return handle.db
    .selectFrom('replication_jobs')
    .select(['id', 'vm_context_id', 'status', 'schedule_execution_id', 'created_at', 'completed_at'])
    .execute();
}

export async function schedulerLeader(handle: DatabaseHandle): Promise<{ owner: string; expiresAt: Date } | undefined> {
  const row = await handle.db
    .selectFrom('scheduler_leases')
    .select(['owner', 'expires_at'])
    .where('name', '=', 'scheduler')
    .executeTakeFirst();
  return row === undefined ? undefined : { owner: row.owner, expiresAt: row.expires_at };
}

/** job id -> lease owner (null for jobs no server leases, which is every replication job before leases). */
export async function leaseOwners(handle: DatabaseHandle, ids: readonly string[]): Promise<Map<string, string | null>> {
  const owners = new Map<string, string | null>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await handle.db
      .selectFrom('job_tracking')
      .select(['id', 'lease_owner'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const row of rows) owners.set(row.id, row.lease_owner);
  }
  return owners;
}

export async function unfinishedTrackedJobs(handle: DatabaseHandle): Promise<number> {
  const row = await handle.db
    .selectFrom('job_tracking')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['pending', 'running', 'compensating'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

interface ExecutionDetail {
  outcome?: string;
  job_id?: string;
  reason?: string;
}

async function executionDetails(handle: DatabaseHandle, scheduleId: string): Promise<ExecutionDetail[]> {
  const rows = await handle.db
    .selectFrom('schedule_executions')
    .select(['details'])
    .where('schedule_id', '=', scheduleId)
    .execute();
  return rows.flatMap(
    (row) => ((typeof row.details === 'string' ? JSON.parse(row.details) : row.details) ?? []) as ExecutionDetail[],
  );
}

export async function executionJobIds(handle: DatabaseHandle, scheduleId: string): Promise<string[]> {
  return (await executionDetails(handle, scheduleId)).flatMap((d) =>
    d.outcome === 'created' && d.job_id !== undefined ? [d.job_id] : [],
  );
}

/** How often each outcome (and skip reason) was recorded over all the schedule's executions. */
export async function executionOutcomes(handle: DatabaseHandle, scheduleId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const d of await executionDetails(handle, scheduleId)) {
    const key = d.reason === undefined ? (d.outcome ?? 'unknown') : `${d.outcome ?? 'unknown'}:${d.reason}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
