// failover_jobs: one test or live failover of a VM, and its rollback.
import { defineStatusSet } from './status-set';

export const failoverJobStatuses = defineStatusSet('failover job', {
  pending: { kind: 'waiting', next: ['running', 'failed', 'cancelled'] },
  // A failover whose compensation failed ends cleanup_required (the failed-execution cleanup repairs it).
  running: { kind: 'active', next: ['completed', 'failed', 'rolling_back', 'cleanup_required'] },
  // A test failover stays completed until it is rolled back; a live one until it is committed or rolled back.
  completed: { kind: 'succeeded', next: ['rolling_back'] },
  failed: { kind: 'failed', next: ['rolling_back', 'cleanup_required'] },
  // Test failovers are cleaned up (cleaned_up), live ones rolled back (rolled_back).
  rolling_back: { kind: 'active', next: ['rolled_back', 'cleaned_up', 'cleanup_required'] },
  rolled_back: { kind: 'succeeded', next: [] },
  cleaned_up: { kind: 'succeeded', next: [] },
  cancelled: { kind: 'attention', next: [] },
  // A rollback could not undo everything: an operator has to look.
  cleanup_required: { kind: 'attention', next: ['rolling_back'] },
});
export type FailoverJobStatus = (typeof failoverJobStatuses.values)[number];
/** A failover in one of these holds its VM: no replication or second failover may start. */
export const ACTIVE_FAILOVER_STATUSES: readonly FailoverJobStatus[] = ['pending', 'running', 'rolling_back'];
