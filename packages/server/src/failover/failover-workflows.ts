// The two failover workflows (docs/failover.md): one list of steps, live and test differing by configuration.
// test-failover compensates when a server takes it over after a crash; live-failover pauses for the operator
// (the source is off and a half-done live failover is a decision, not an automatic undo).
import type { ContextStatus } from '@migratekit/core';
import { defineWorkflow, type AnyWorkflow } from '../workflows';
import type { FailoverDeps } from './failover-deps';
import { FAILOVER_JOB_TYPE, WORKFLOW_NAMES, type FailoverType, type FailoverWorkflowInput } from './failover.types';
import { finalSyncStep, powerOffStep, validateStep } from './source-steps';
import {
  attachVolumesStep,
  conversionStep,
  createVmStep,
  detachVolumesStep,
  snapshotStep,
  startVmStep,
} from './target-steps';

export const FAILED_OVER: Record<FailoverType, ContextStatus> = {
  test: 'failed_over_test',
  live: 'failed_over_live',
};

/** Context status, failover job completed, audit event; inspect: the context already shows the failover. */
function finalizeStep(deps: FailoverDeps) {
  return {
    run: async ({ input }: { input: FailoverWorkflowInput }) => {
      const status = FAILED_OVER[input.type];
      await deps.repositories.contexts.transitionStatus(input.contextId, status, { from: ['ready_for_failover'] });
      const job = await deps.repositories.failoverJobs.update(input.failoverJobId, {
        status: 'completed',
        completed_at: deps.clock.now(),
        error_message: null,
      });
      await deps.audit.record({
        actor: 'system',
        action: `failover.${input.type}.completed`,
        targetType: 'failover_job',
        targetId: input.failoverJobId,
        vmContextId: input.contextId,
        details: { target_vm_name: input.targetVmName, destination_vm_id: job.destination_vm_id },
      });
      return { context_status: status };
    },
    inspect: async ({ input }: { input: FailoverWorkflowInput }) => {
      const context = await deps.repositories.contexts.require(input.contextId);
      const status = FAILED_OVER[input.type];
      return context.current_status === status
        ? { happened: true as const, output: { context_status: status } }
        : { happened: false as const };
    },
  };
}

function buildTest(deps: FailoverDeps) {
  return defineWorkflow<FailoverWorkflowInput>(WORKFLOW_NAMES.test, {
    jobType: FAILOVER_JOB_TYPE,
    takeover: 'compensate',
  })
    .step('validate', validateStep(deps))
    .step('snapshot volumes', snapshotStep(deps))
    .step('convert guest', conversionStep(deps))
    .step('create target VM', createVmStep(deps))
    .step('detach volumes from server', detachVolumesStep(deps))
    .step('attach volumes to target', attachVolumesStep(deps))
    .step('start target VM', startVmStep(deps))
    .step('update statuses', finalizeStep(deps))
    .build();
}

function buildLive(deps: FailoverDeps) {
  return defineWorkflow<FailoverWorkflowInput>(WORKFLOW_NAMES.live, { jobType: FAILOVER_JOB_TYPE, takeover: 'pause' })
    .step('validate', validateStep(deps))
    .step('power off source', powerOffStep(deps))
    .step('final sync', finalSyncStep(deps))
    .step('snapshot volumes', snapshotStep(deps))
    .step('convert guest', conversionStep(deps))
    .step('create target VM', createVmStep(deps))
    .step('detach volumes from server', detachVolumesStep(deps))
    .step('attach volumes to target', attachVolumesStep(deps))
    .step('start target VM', startVmStep(deps))
    .step('update statuses', finalizeStep(deps))
    .build();
}

export interface FailoverWorkflows {
  test: ReturnType<typeof buildTest>;
  live: ReturnType<typeof buildLive>;
}

export function failoverWorkflows(deps: FailoverDeps): FailoverWorkflows {
  return { test: buildTest(deps), live: buildLive(deps) };
}

/** For the runner's registry. */
export function asRegistered(workflows: FailoverWorkflows): AnyWorkflow[] {
  return [workflows.test, workflows.live];
}
