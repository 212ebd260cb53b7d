// Recovery plans: ordered stages of groups or VMs failed over by one parent workflow job (docs/recovery-plans.md).
export { RecoveryPlanService, type PlanRequest, type UndoRequest } from './recovery-plan.service';
export { recoveryPlanWorkflows, recoveryPlanWorkflowName, type RecoveryPlanWorkflows } from './recovery-plan-workflows';
export type { RecoveryPlanRunView, RecoveryPlanView, RunStageView, RunChildView } from './recovery-plan-views';
export * from './recovery-plan.types';
