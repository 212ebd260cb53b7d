// A VM's jobs (replications, failovers, cleanups, rollbacks), newest first, shared by its story, its failover
// section and its actions (one query, refreshed by the event stream).
import { useQuery } from '@tanstack/react-query';
import { jobStatuses } from '@migratekit/core/statuses';
import { api } from '../../api/client';
import type { Job } from '../../api/models';

/** The latest workflow job of a VM is its failover, cleanup or rollback. */
export function useVmJobs(contextId: string) {
  return useQuery({
    queryKey: ['jobs', 'context', contextId],
    queryFn: async () =>
      (await api.ops.getJobs({ query: { context_id: contextId, root_only: true, limit: 100 } })).items,
  });
}

/** The latest failover, cleanup or rollback of the VM while it still runs or waits for a decision. */
export function useActiveWorkflowJob(contextId: string): Job | undefined {
  const latest = (useVmJobs(contextId).data ?? []).find((j) => j.workflow_name !== null);
  return latest && !jobStatuses.isFinal(latest.status) ? latest : undefined;
}
