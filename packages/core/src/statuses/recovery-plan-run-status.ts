// recovery_plan_runs: one run of a recovery plan (docs/recovery-plans.md). The run follows its parent workflow
// job (running, paused, completed, failed, cancelled); the operator's "undo what ran" then moves it through
// undoing to undone, or undo_failed when a cleanup or rollback of a child did not end clean.
import { defineStatusSet } from './status-set';

export const recoveryPlanRunStatuses = defineStatusSet(
  'recovery plan run',
  {
    running: { kind: 'active', next: ['completed', 'failed', 'paused', 'cancelled'] },
    // The parent job waits for the operator (a takeover that could not tell where a stage stood).
    paused: { kind: 'attention', next: ['running', 'failed', 'cancelled'] },
    completed: { kind: 'succeeded', next: ['undoing'] },
    // A stage failed: later stages did not start; what ran stays until the operator undoes it.
    failed: { kind: 'failed', next: ['undoing'] },
    cancelled: { kind: 'attention', next: ['undoing'] },
    undoing: { kind: 'active', next: ['undone', 'undo_failed'] },
    undone: { kind: 'attention', next: [] },
    // A child's cleanup or rollback did not complete: undo again once the reason is fixed.
    undo_failed: { kind: 'failed', next: ['undoing'] },
  },
  { initial: ['running'] },
);
export type RecoveryPlanRunStatus = (typeof recoveryPlanRunStatuses.values)[number];

/** What a stage waits for once every failover of the stage completed, before the next stage starts. */
export const RECOVERY_STAGE_CONDITIONS = ['completed', 'running', 'delay'] as const;
export type RecoveryStageCondition = (typeof RECOVERY_STAGE_CONDITIONS)[number];
