// The life cycle of a workflow job (failover, rollback, cleanup, recovery plans). The workflow runner
// (packages/server/src/workflows) changes a job's status only along these transitions; the conditional UPDATE
// in the repository uses allowedSources so a stale writer cannot skip a state. See docs/workflows.md.
import { defineStatusSet } from './status-set';

export const workflowStatuses = defineStatusSet(
  'workflow job',
  {
    pending: { kind: 'waiting', next: ['running', 'compensating', 'paused', 'cancelled'] },
    // failed: a step failed before any change had been made, so there is nothing to undo.
    running: { kind: 'active', next: ['completed', 'compensating', 'paused', 'failed'] },
    // paused: a server took over a compensation it cannot continue without the operator (unknown workflow).
    compensating: { kind: 'active', next: ['compensated', 'cleanup_required', 'paused'] },
    // The operator decides: resume the steps, or undo what was done.
    paused: { kind: 'attention', next: ['running', 'compensating', 'cancelled'] },
    completed: { kind: 'succeeded', next: [] },
    compensated: { kind: 'attention', next: [] },
    failed: { kind: 'failed', next: [] },
    // The operator fixed what stopped the compensation and asks to run it again.
    cleanup_required: { kind: 'attention', next: ['compensating'] },
    cancelled: { kind: 'attention', next: [] },
  },
  { initial: ['pending'] },
);

export type WorkflowStatus = (typeof workflowStatuses.values)[number];
export const WORKFLOW_STATUSES = workflowStatuses.values;
export const WORKFLOW_TRANSITIONS = workflowStatuses.transitions;

/** Statuses in which a server owns the job through a lease and drives it. */
export const ACTIVE_WORKFLOW_STATUSES: readonly WorkflowStatus[] = ['pending', 'running', 'compensating'];

/** Statuses a workflow job never leaves. */
export const TERMINAL_WORKFLOW_STATUSES: readonly WorkflowStatus[] = WORKFLOW_STATUSES.filter((s) =>
  workflowStatuses.isFinal(s),
);

export function isWorkflowStatus(value: string): value is WorkflowStatus {
  return workflowStatuses.is(value);
}

export function canWorkflowTransition(from: WorkflowStatus, to: WorkflowStatus): boolean {
  return workflowStatuses.canTransition(from, to);
}

/** The statuses from which `to` may be reached: used to make a status update conditional in SQL. */
export function allowedWorkflowSources(to: WorkflowStatus): WorkflowStatus[] {
  return workflowStatuses.allowedSources(to);
}
