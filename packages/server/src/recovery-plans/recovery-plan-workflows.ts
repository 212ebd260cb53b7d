// The parent workflows of recovery plan runs (docs/recovery-plans.md): one per stage count, `recovery-plan-<n>`
// with steps `stage 1` .. `stage n`, so the job shows exactly the plan's stages. No step compensates: a failed
// stage stops the run (`failed`) and the operator decides to undo what ran. Takeover: resume.
import { defineWorkflow, type AnyWorkflow, type WorkflowBuilder } from '../workflows';
import {
  MAX_RECOVERY_STAGES,
  RECOVERY_PLAN_JOB_TYPE,
  type PlanRunInput,
  type RecoveryPlanDeps,
} from './recovery-plan.types';
import { stageStep, stageStepName } from './stage-step';

type AnyBuilder = WorkflowBuilder<PlanRunInput, Readonly<Record<string, unknown>>>;

export function recoveryPlanWorkflowName(stageCount: number): string {
  return `recovery-plan-${stageCount}`;
}

export type RecoveryPlanWorkflows = ReadonlyMap<number, AnyWorkflow>;

export function recoveryPlanWorkflows(deps: RecoveryPlanDeps): RecoveryPlanWorkflows {
  const workflows = new Map<number, AnyWorkflow>();
  for (let count = 1; count <= MAX_RECOVERY_STAGES; count++) {
    let builder = defineWorkflow<PlanRunInput>(recoveryPlanWorkflowName(count), {
      jobType: RECOVERY_PLAN_JOB_TYPE,
      takeover: 'resume',
    }) as unknown as AnyBuilder;
    for (let index = 0; index < count; index++) builder = builder.step(stageStepName(index), stageStep(deps, index));
    workflows.set(count, builder.build());
  }
  return workflows;
}
