// The VM-context life cycle (docs/statuses.md). Every status change goes through canTransition/allowedSources.
import { defineStatusSet } from './status-set';

export const contextStatuses = defineStatusSet('vm context', {
  discovered: { kind: 'waiting', next: ['replicating', 'failed'] },
  replicating: { kind: 'active', next: ['ready_for_failover', 'failed', 'discovered'] },
  ready_for_failover: {
    kind: 'succeeded',
    next: ['replicating', 'failed_over_test', 'failed_over_live', 'failed', 'cleanup_required'],
  },
  failed_over_test: { kind: 'failed_over', next: ['ready_for_failover', 'cleanup_required', 'failed'] },
  failed_over_live: { kind: 'failed_over', next: ['ready_for_failover', 'completed', 'cleanup_required', 'failed'] },
  completed: { kind: 'succeeded', next: [] },
  // A failed replication can be retried; a failed context that never replicated goes back to discovered.
  failed: { kind: 'failed', next: ['replicating', 'ready_for_failover', 'discovered', 'cleanup_required'] },
  cleanup_required: { kind: 'attention', next: ['ready_for_failover', 'failed'] },
});

export type ContextStatus = (typeof contextStatuses.values)[number];
export const CONTEXT_STATUSES = contextStatuses.values;
export const CONTEXT_TRANSITIONS = contextStatuses.transitions;

export function isContextStatus(value: string): value is ContextStatus {
  return contextStatuses.is(value);
}

export function canTransition(from: ContextStatus, to: ContextStatus): boolean {
  return contextStatuses.canTransition(from, to);
}

/** The statuses from which `to` may be reached: used to make a status update conditional in SQL. */
export function allowedSources(to: ContextStatus): ContextStatus[] {
  return contextStatuses.allowedSources(to);
}
