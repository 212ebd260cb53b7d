// The three ways back from a failover as workflows of the durable runner (docs/failover-recovery.md):
// 'test-cleanup', 'live-rollback' and 'failover-repair' (the failed-execution cleanup). They share one list of
// converging steps; the input says what differs (power the source on, keep the target VM). A server that stops
// mid-way resumes (each step's inspect reads the real state); a step that fails marks the failover and the
// context cleanup_required, which the failed-execution cleanup repairs.
import { errorMessage } from '@migratekit/core';
import { defineWorkflow, type InspectResult, type StepContext, type WorkflowDefinition } from '../../workflows';
import {
  deleteSnapshots,
  detachVolumes,
  inventoryOf,
  reattachVolumes,
  revertVolumes,
  volumesToDetach,
} from '../volume-restore';
import {
  beginRecovery,
  destroyTargets,
  finishStatuses,
  markCleanupRequired,
  powerOnSource,
  runningTargets,
  stopTargets,
  summarize,
} from './recovery-steps';
import { RECOVERY_KINDS, type RecoveryDeps, type RecoveryInput, type RecoveryKind } from './recovery.types';

/** The step names, in order: what the job view and the CLI show. */
export const RECOVERY_STEPS = [
  'inspect state',
  'stop target VM',
  'detach volumes',
  'revert volumes',
  'delete snapshots',
  'reattach volumes',
  'destroy target VM',
  'power on source',
  'update statuses',
] as const;

const JOB_TYPES: Record<RecoveryKind, string> = {
  'test-cleanup': 'cleanup',
  'live-rollback': 'rollback',
  'failover-repair': 'failover-repair',
};

type Ctx = StepContext<RecoveryInput, unknown>;

/** Runs a step; a failure (not a shutdown) leaves the failover and the context cleanup_required. */
function guarded<T>(deps: RecoveryDeps, work: (context: Ctx) => Promise<T>): (context: Ctx) => Promise<T> {
  return async (context) => {
    try {
      return await work(context);
    } catch (error) {
      if (!context.signal.aborted) {
        const reason = `${context.input.kind} failed: ${errorMessage(error)}`;
        await markCleanupRequired(deps, context.input, reason);
        deps.logger.warn({ jobId: context.jobId, contextId: context.input.contextId, reason }, 'recovery step failed');
      }
      throw error;
    }
  };
}

const rerun = <T>(): Promise<InspectResult<T>> => Promise.resolve({ happened: false });

export function recoveryWorkflow(kind: RecoveryKind, deps: RecoveryDeps): WorkflowDefinition<RecoveryInput, unknown> {
  return defineWorkflow<RecoveryInput>(kind, { jobType: JOB_TYPES[kind], takeover: 'resume' })
    .step('inspect state', {
      run: guarded(deps, ({ input, signal }) => beginRecovery(deps, input, signal)),
      // Marking rolling_back again is harmless; reading again gives the current picture.
      inspect: rerun,
    })
    .step('stop target VM', {
      run: guarded(deps, ({ input, signal }) => stopTargets(deps, input, signal)),
      inspect: async ({ input, signal }) =>
        runningTargets(await inventoryOf(deps, input, signal)).length === 0
          ? { happened: true, output: { stopped: [] } }
          : { happened: false },
    })
    .step('detach volumes', {
      run: guarded(deps, ({ input, signal }) => detachVolumes(deps, input, signal)),
      inspect: async ({ input, signal }) =>
        volumesToDetach(await inventoryOf(deps, input, signal)).length === 0
          ? { happened: true, output: { detached: [] } }
          : { happened: false },
    })
    .step('revert volumes', {
      run: guarded(deps, ({ input, signal }) => revertVolumes(deps, input, signal)),
      inspect: rerun,
    })
    .step('delete snapshots', {
      run: guarded(deps, ({ input, signal }) => deleteSnapshots(deps, input, signal)),
      inspect: async ({ input, signal }) =>
        (await inventoryOf(deps, input, signal)).snapshots.length === 0
          ? { happened: true, output: { deleted: [] } }
          : { happened: false },
    })
    .step('reattach volumes', {
      run: guarded(deps, ({ input, signal }) => reattachVolumes(deps, input, signal)),
      // Every volume goes through attachToServer again: it also restores an export a crash lost.
      inspect: rerun,
    })
    .step('destroy target VM', {
      run: guarded(deps, ({ input, signal }) => destroyTargets(deps, input, signal)),
      inspect: rerun,
    })
    .step('power on source', {
      run: guarded(deps, ({ input, signal }) => powerOnSource(deps, input, signal)),
      inspect: rerun,
    })
    .step('update statuses', {
      run: guarded(deps, ({ input }) => finishStatuses(deps, input)),
      inspect: rerun,
    })
    .build();
}

/** The three recovery workflows, registered in the runner's list by the composition root. */
export function recoveryWorkflows(
  deps: RecoveryDeps,
): Record<RecoveryKind, WorkflowDefinition<RecoveryInput, unknown>> {
  const entries = RECOVERY_KINDS.map((kind) => [kind, recoveryWorkflow(kind, deps)] as const);
  return Object.fromEntries(entries) as Record<RecoveryKind, WorkflowDefinition<RecoveryInput, unknown>>;
}

export { summarize };
