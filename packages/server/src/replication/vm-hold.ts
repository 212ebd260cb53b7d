// What holds a VM so that neither a replication nor its removal may start: its current job, an active
// replication, or a failover from start to end (paused for a decision included, its cleanup or rollback too).
// The failover's own final sync is the one replication that runs inside a failover (owner "failover").
import { ACTIVE_FAILOVER_STATUSES, MigrateKitError } from '@migratekit/core';
import type { ContextRecord, Repositories } from '@migratekit/db';

/** Throws MKE_JOB_ACTIVE (409) naming the job that holds the VM. */
export async function assertNothingHoldsVm(
  repositories: Pick<Repositories, 'replicationJobs' | 'failoverJobs'>,
  context: ContextRecord,
  options: { insideFailover?: boolean; message?: string } = {},
): Promise<void> {
  const contextId = context.context_id;
  const active = await repositories.replicationJobs.findActiveForContext(contextId);
  if (active !== undefined || context.current_job_id !== null)
    throw new MigrateKitError('MKE_JOB_ACTIVE', {
      ...(options.message === undefined ? {} : { message: options.message }),
      details: { context_id: contextId, current_job_id: active?.id ?? context.current_job_id },
    });
  if (options.insideFailover === true) return;
  const [holding] = await repositories.failoverJobs.list({ contextId, statuses: ACTIVE_FAILOVER_STATUSES, limit: 1 });
  if (holding === undefined) return;
  throw new MigrateKitError('MKE_JOB_ACTIVE', {
    message: `The VM's ${holding.job_type} failover ${holding.job_id} is ${holding.status}; finish, resume or undo it first`,
    details: { context_id: contextId, current_job_id: holding.job_id },
  });
}
