// Status changes of a recovery: the failover jobs it closes (rolling_back -> cleaned_up | rolled_back, or
// cleanup_required when it fails) and the VM context (back to ready_for_failover). Each change follows the
// status catalogue of @migratekit/core; a status already reached is left alone, so a step can run twice.
import { contextStatuses, failoverJobStatuses, type ContextStatus, type FailoverJobStatus } from '@migratekit/core';
import type { FailoverJobRecord, Repositories } from '@migratekit/db';

type Repos = Pick<Repositories, 'failoverJobs' | 'contexts'>;

/** Statuses a recovery leaves alone: the failover is already undone. */
export const UNDONE_FAILOVER_STATUSES: readonly FailoverJobStatus[] = ['rolled_back', 'cleaned_up', 'cancelled'];

/** The shortest legal path from the job's status to `to` (at most one status in between). */
function pathTo(from: FailoverJobStatus, to: FailoverJobStatus): FailoverJobStatus[] | undefined {
  if (from === to) return [];
  if (failoverJobStatuses.canTransition(from, to)) return [to];
  for (const middle of failoverJobStatuses.values)
    if (failoverJobStatuses.canTransition(from, middle) && failoverJobStatuses.canTransition(middle, to))
      return [middle, to];
  return undefined;
}

export async function moveFailoverJob(
  repos: Repos,
  job: FailoverJobRecord,
  to: FailoverJobStatus,
  extra: { error_message?: string | null; completed_at?: Date | null } = {},
): Promise<FailoverJobRecord> {
  const path = pathTo(job.status, to);
  if (path === undefined || path.length === 0) return job;
  let current = job;
  for (const status of path) current = await repos.failoverJobs.update(job.job_id, { status, ...extra });
  return current;
}

/** The status a closed failover ends in: a test one is cleaned up, a live one rolled back. */
export function undoneStatus(job: FailoverJobRecord): FailoverJobStatus {
  return job.job_type === 'test' ? 'cleaned_up' : 'rolled_back';
}

/** Moves the context to `to` if the catalogue allows it from where it is; returns where it is now. */
export async function moveContext(repos: Repos, contextId: string, to: ContextStatus): Promise<ContextStatus> {
  const context = await repos.contexts.require(contextId);
  if (context.current_status === to) return to;
  if (!contextStatuses.canTransition(context.current_status, to)) return context.current_status;
  return (await repos.contexts.transitionStatus(contextId, to)).current_status;
}
