// What a VM list row shows besides the context row itself: when its last successful sync completed and how
// big its disks are. Read in two queries for a whole page, not per VM.
import type { ContextRecord, Repositories } from '@migratekit/db';

export interface ContextSummary {
  last_successful_sync_at: Date | null;
  disk_capacity_bytes: number | null;
}

export async function withContextSummaries(
  repos: Pick<Repositories, 'replicationJobs' | 'vmDisks'>,
  contexts: readonly ContextRecord[],
): Promise<(ContextRecord & ContextSummary)[]> {
  const jobIds = contexts.flatMap((c) => (c.last_successful_job_id === null ? [] : [c.last_successful_job_id]));
  const [completedAt, capacity] = await Promise.all([
    repos.replicationJobs.completionTimes(jobIds),
    repos.vmDisks.capacityByContext(contexts.map((c) => c.context_id)),
  ]);
  return contexts.map((context) => ({
    ...context,
    last_successful_sync_at:
      context.last_successful_job_id === null ? null : (completedAt.get(context.last_successful_job_id) ?? null),
    disk_capacity_bytes: capacity.get(context.context_id) ?? null,
  }));
}
