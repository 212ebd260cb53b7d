// The VM-context life cycle (docs/model.md#context-status), as data. Every status change goes through
// canTransition/assertTransition.

export const CONTEXT_STATUSES = [
  'discovered',
  'replicating',
  'ready_for_failover',
  'failed_over_test',
  'failed_over_live',
  'completed',
  'failed',
  'cleanup_required',
] as const;

export type ContextStatus = (typeof CONTEXT_STATUSES)[number];

export const CONTEXT_TRANSITIONS: Readonly<Record<ContextStatus, readonly ContextStatus[]>> = {
  discovered: ['replicating', 'failed'],
  replicating: ['ready_for_failover', 'failed', 'discovered'],
  ready_for_failover: ['replicating', 'failed_over_test', 'failed_over_live', 'failed', 'cleanup_required'],
  failed_over_test: ['ready_for_failover', 'cleanup_required', 'failed'],
  failed_over_live: ['ready_for_failover', 'completed', 'cleanup_required', 'failed'],
  completed: [],
  // A failed replication can be retried; a failed context that never replicated goes back to discovered.
  failed: ['replicating', 'ready_for_failover', 'discovered', 'cleanup_required'],
  cleanup_required: ['ready_for_failover', 'failed'],
};

export function isContextStatus(value: string): value is ContextStatus {
  return (CONTEXT_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: ContextStatus, to: ContextStatus): boolean {
  return CONTEXT_TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` may be reached: used to make a status update conditional in SQL. */
export function allowedSources(to: ContextStatus): ContextStatus[] {
  return CONTEXT_STATUSES.filter((from) => canTransition(from, to));
}
