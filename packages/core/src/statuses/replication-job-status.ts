// replication_jobs: one full or incremental copy of a VM.
import { defineStatusSet } from './status-set';

export const replicationJobStatuses = defineStatusSet('replication job', {
  pending: { kind: 'waiting', next: ['replicating', 'completed', 'failed', 'cancelled'] },
  replicating: { kind: 'active', next: ['completed', 'failed', 'cancelled'] },
  completed: { kind: 'succeeded', next: [] },
  failed: { kind: 'failed', next: [] },
  cancelled: { kind: 'attention', next: [] },
});
export type ReplicationJobStatus = (typeof replicationJobStatuses.values)[number];
/** A replication in one of these still holds its VM: no second one may start. */
export const ACTIVE_REPLICATION_STATUSES: readonly ReplicationJobStatus[] = replicationJobStatuses.values.filter(
  (s) => !replicationJobStatuses.isFinal(s),
);
