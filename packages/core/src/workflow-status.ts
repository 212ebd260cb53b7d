// The life cycle of a workflow job (failover, rollback, cleanup, recovery plans), as data. The workflow runner
// (packages/server/src/workflows) changes a job's status only along these transitions; the conditional UPDATE
// in the repository uses allowedWorkflowSources so a stale writer cannot skip a state. See docs/workflows.md.

export const WORKFLOW_STATUSES = [
  'pending',
  'running',
  'compensating',
  'paused',
  'completed',
  'compensated',
  'failed',
  'cleanup_required',
  'cancelled',
] as const;

export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

export const WORKFLOW_TRANSITIONS: Readonly<Record<WorkflowStatus, readonly WorkflowStatus[]>> = {
  pending: ['running', 'compensating', 'paused', 'cancelled'],
  // failed: a step failed before any change had been made, so there is nothing to undo.
  running: ['completed', 'compensating', 'paused', 'failed'],
  // paused: a server took over a compensation it cannot continue without the operator (unknown workflow).
  compensating: ['compensated', 'cleanup_required', 'paused'],
  // The operator decides: resume the steps, or undo what was done.
  paused: ['running', 'compensating', 'cancelled'],
  completed: [],
  compensated: [],
  failed: [],
  // The operator fixed what stopped the compensation and asks to run it again.
  cleanup_required: ['compensating'],
  cancelled: [],
};

/** Statuses in which a server owns the job through a lease and drives it. */
export const ACTIVE_WORKFLOW_STATUSES: readonly WorkflowStatus[] = ['pending', 'running', 'compensating'];

/** Statuses a workflow job never leaves. */
export const TERMINAL_WORKFLOW_STATUSES: readonly WorkflowStatus[] = WORKFLOW_STATUSES.filter(
  (status) => WORKFLOW_TRANSITIONS[status].length === 0,
);

export function isWorkflowStatus(value: string): value is WorkflowStatus {
  return (WORKFLOW_STATUSES as readonly string[]).includes(value);
}

export function canWorkflowTransition(from: WorkflowStatus, to: WorkflowStatus): boolean {
  return WORKFLOW_TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` may be reached: used to make a status update conditional in SQL. */
export function allowedWorkflowSources(to: WorkflowStatus): WorkflowStatus[] {
  return WORKFLOW_STATUSES.filter((from) => canWorkflowTransition(from, to));
}
