// What the API shows of plans and runs (docs/recovery-plans.md): members with their names, and a run as its
// stages, each with its step status from the parent job and its child failovers with their current step.
import type { FailoverJobStatus, RecoveryPlanRunStatus, WorkflowStatus } from '@migratekit/core';
import type { RecoveryPlanRunRecord, RecoveryPlanWithStages, Repositories } from '@migratekit/db';
import type { PlanRunInput } from './recovery-plan.types';
import { stageStepName } from './stage-step';

export interface PlanMemberView {
  type: 'group' | 'vm';
  id: string;
  name: string;
}

export interface PlanStageView {
  position: number;
  name: string;
  wait_condition: string;
  wait_seconds: number;
  members: PlanMemberView[];
}

export interface RecoveryPlanView {
  id: string;
  name: string;
  description: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  stages: PlanStageView[];
}

export interface RunChildView {
  context_id: string;
  vm_name: string;
  failover_job_id: string | null;
  workflow_job_id: string | null;
  /** The failover job's status; null while the stage has not started it. */
  status: FailoverJobStatus | null;
  workflow_status: WorkflowStatus | null;
  current_step: string | null;
  progress_percent: number;
  target_vm_name: string | null;
  destination_vm_id: string | null;
  error_message: string | null;
}

export type StageRunStatus = 'pending' | 'running' | 'completed' | 'failed';

export interface RunStageView {
  position: number;
  name: string;
  wait_condition: string;
  wait_seconds: number;
  status: StageRunStatus;
  children: RunChildView[];
}

export interface UndoJobView {
  failover_job_id: string;
  context_id: string;
  job_id: string | null;
  status: string;
  error: string | null;
}

export interface RecoveryPlanRunView {
  id: string;
  plan_id: string;
  plan_name: string;
  job_id: string;
  failover_type: string;
  status: RecoveryPlanRunStatus;
  error_message: string | null;
  requested_by: string;
  created_at: Date;
  completed_at: Date | null;
  stage_count: number;
  stages: RunStageView[];
  undo_jobs: UndoJobView[];
}

export async function planView(
  repositories: Pick<Repositories, 'machineGroups' | 'contexts'>,
  plan: RecoveryPlanWithStages,
): Promise<RecoveryPlanView> {
  const groups = new Map((await repositories.machineGroups.list()).map((g) => [g.id, g.name]));
  const stages: PlanStageView[] = [];
  for (const stage of plan.stages) {
    const members: PlanMemberView[] = [];
    for (const m of stage.members) {
      if (m.group_id !== null)
        members.push({ type: 'group', id: m.group_id, name: groups.get(m.group_id) ?? m.group_id });
      else if (m.vm_context_id !== null) {
        const context = await repositories.contexts.get(m.vm_context_id);
        members.push({ type: 'vm', id: m.vm_context_id, name: context?.vm_name ?? m.vm_context_id });
      }
    }
    const { position, name, wait_condition, wait_seconds } = stage;
    stages.push({ position, name, wait_condition, wait_seconds, members });
  }
  const { id, name, description, created_by, created_at, updated_at } = plan;
  return { id, name, description, created_by, created_at, updated_at, stages };
}

const STEP_STATUS: Record<string, StageRunStatus> = { running: 'running', completed: 'completed', failed: 'failed' };

export async function runView(repositories: Repositories, run: RecoveryPlanRunRecord): Promise<RecoveryPlanRunView> {
  const parent = await repositories.workflowJobs.getJob(run.job_id);
  const input = parent?.workflow_input as PlanRunInput | undefined;
  const steps = parent === undefined ? [] : await repositories.workflowSteps.listSteps(parent.id);
  const children = parent === undefined ? [] : await repositories.jobLog.listChildren(parent.id);
  const stages: RunStageView[] = [];
  for (const [index, stage] of (input?.stages ?? []).entries()) {
    // One row per (job, kind, step): a retried stage reuses its row.
    const step = steps.find((s) => s.step_kind === 'run' && s.step_key === stageStepName(index));
    const childViews: RunChildView[] = [];
    for (const vm of stage.vms) {
      const child = children.find((c) => c.vm_context_id === vm.context_id);
      const failover = child === undefined ? undefined : await repositories.failoverJobs.get(child.external_job_id);
      const workflow = child === undefined ? undefined : await repositories.workflowJobs.getJob(child.id);
      const childSteps = child === undefined ? [] : await repositories.workflowSteps.listSteps(child.id);
      const options = (failover?.options ?? {}) as { targetVmName?: string };
      childViews.push({
        context_id: vm.context_id,
        vm_name: vm.vm_name,
        failover_job_id: failover?.job_id ?? null,
        workflow_job_id: child?.id ?? null,
        status: failover?.status ?? null,
        workflow_status: workflow?.status ?? null,
        current_step: childSteps.at(-1)?.name ?? null,
        // The job row's percentage may trail its last step's event; a completed failover is done.
        progress_percent: workflow?.status === 'completed' ? 100 : (child?.progress_percent ?? 0),
        target_vm_name: options.targetVmName ?? null,
        destination_vm_id: failover?.destination_vm_id ?? null,
        error_message: failover?.error_message ?? workflow?.error_message ?? null,
      });
    }
    stages.push({
      position: index,
      name: stage.name,
      wait_condition: stage.wait_condition,
      wait_seconds: stage.wait_seconds,
      status: step === undefined ? 'pending' : (STEP_STATUS[step.status] ?? 'pending'),
      children: childViews,
    });
  }
  const undo: UndoJobView[] = [];
  for (const job of run.undo_jobs) {
    const recovery = job.job_id === null ? undefined : await repositories.workflowJobs.getJob(job.job_id);
    undo.push({
      failover_job_id: job.failover_job_id,
      context_id: job.vm_context_id,
      job_id: job.job_id,
      status: job.job_id === null ? 'not_started' : (recovery?.status ?? 'unknown'),
      error: job.error ?? recovery?.error_message ?? null,
    });
  }
  return {
    id: run.id,
    plan_id: run.plan_id,
    plan_name: run.plan_name,
    job_id: run.job_id,
    failover_type: run.failover_type,
    status: run.status,
    error_message: run.error_message,
    requested_by: run.requested_by,
    created_at: run.created_at,
    completed_at: run.completed_at,
    stage_count: run.stage_count,
    stages,
    undo_jobs: undo,
  };
}
