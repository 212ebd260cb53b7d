// A failover holds its VM from start to end, paused for a decision included (its cleanup or rollback too):
// while it does, neither a replication nor the VM's removal may start. The failover's own final sync is the
// one replication that runs inside it (owner "failover").
import { ACTIVE_FAILOVER_STATUSES, MigrateKitError } from '@migratekit/core';
import type { Repositories } from '@migratekit/db';

/** Throws MKE_JOB_ACTIVE (409) naming the failover job that holds the VM. */
export async function assertNoFailoverHolds(repositories: Repositories, contextId: string): Promise<void> {
  const [holding] = await repositories.failoverJobs.list({ contextId, statuses: ACTIVE_FAILOVER_STATUSES, limit: 1 });
  if (holding === undefined) return;
  throw new MigrateKitError('MKE_JOB_ACTIVE', {
    message: `The VM's ${holding.job_type} failover ${holding.job_id} is ${holding.status}; finish, resume or undo it first`,
    details: { context_id: contextId, current_job_id: holding.job_id },
  });
}
