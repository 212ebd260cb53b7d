// Keeps failover_jobs (and the context) in line with the workflow job that drives it: the runner knows only its
// own statuses, so a compensated or failed workflow makes the failover `failed`, a failed compensation
// `cleanup_required` (the context too). Idempotent; run on every job event and before each read.
import { canTransition, type FailoverJobStatus, type WorkflowStatus } from '@migratekit/core';
import type { FailoverJobRecord, Repositories, WorkflowJobRecord } from '@migratekit/db';
import type { FailoverLogger } from './failover-deps';

const FAILOVER_STATUS_OF: Partial<Record<WorkflowStatus, FailoverJobStatus>> = {
  running: 'running',
  compensating: 'running',
  paused: 'running',
  compensated: 'failed',
  failed: 'failed',
  cleanup_required: 'cleanup_required',
};

export async function syncFailoverJob(
  repositories: Repositories,
  logger: FailoverLogger,
  job: FailoverJobRecord,
  workflow: WorkflowJobRecord | undefined,
): Promise<FailoverJobRecord> {
  if (workflow === undefined) return job;
  if (job.status === 'cleanup_required' && workflow.status === 'compensated') return cleanedUp(repositories, job);
  const wanted = FAILOVER_STATUS_OF[workflow.status];
  // completed is written by the workflow's last step; later statuses belong to cleanup and rollback.
  if (wanted === undefined || job.status === wanted || !['pending', 'running'].includes(job.status)) return job;
  const updated = await repositories.failoverJobs.update(job.job_id, {
    status: wanted,
    ...(wanted === 'running' ? {} : { error_message: workflow.error_message, completed_at: workflow.completed_at }),
  });
  if (wanted === 'cleanup_required') {
    const context = await repositories.contexts.require(job.vm_context_id);
    if (canTransition(context.current_status, 'cleanup_required'))
      await repositories.contexts.transitionStatus(job.vm_context_id, 'cleanup_required');
    logger.warn({ failover_job_id: job.job_id, error: workflow.error_message }, 'failover needs cleanup');
  }
  return updated;
}

/**
 * The operator ran the compensation of a cleanup_required failover again and it finished: everything is undone,
 * which the failover job records as cleaned up (test) or rolled back (live), and the VM is ready again.
 */
async function cleanedUp(repositories: Repositories, job: FailoverJobRecord): Promise<FailoverJobRecord> {
  await repositories.failoverJobs.update(job.job_id, { status: 'rolling_back' });
  const updated = await repositories.failoverJobs.update(job.job_id, {
    status: job.job_type === 'test' ? 'cleaned_up' : 'rolled_back',
  });
  const context = await repositories.contexts.require(job.vm_context_id);
  if (context.current_status === 'cleanup_required')
    await repositories.contexts.transitionStatus(job.vm_context_id, 'ready_for_failover');
  return updated;
}
