// What the API shows of a failover: the failover_jobs row joined with its workflow job and every step.
import type { FailoverJobRecord, WorkflowJobRecord, WorkflowStepRecord } from '@migratekit/db';

export interface FailoverStepView {
  name: string;
  kind: string;
  status: string;
  started_at: string;
  completed_at: string | null;
  output: unknown;
  error_code: string | null;
  error_message: string | null;
}

export interface FailoverJobView {
  job_id: string;
  workflow_job_id: string | null;
  context_id: string;
  vm_name: string;
  failover_type: string;
  status: string;
  workflow_status: string | null;
  pause_reason: string | null;
  target_vm_name: string | null;
  destination_vm_id: string | null;
  volume_snapshots: Record<string, string> | null;
  options: Record<string, unknown> | null;
  progress_percent: number;
  error_message: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface FailoverStatusView extends FailoverJobView {
  steps: FailoverStepView[];
}

export function failoverJobView(job: FailoverJobRecord, workflow: WorkflowJobRecord | undefined): FailoverJobView {
  const target = job.options?.targetVmName;
  return {
    job_id: job.job_id,
    workflow_job_id: workflow?.id ?? null,
    context_id: job.vm_context_id,
    vm_name: job.source_vm_name,
    failover_type: job.job_type,
    status: job.status,
    workflow_status: workflow?.status ?? null,
    pause_reason: workflow?.pause_reason ?? null,
    target_vm_name: typeof target === 'string' ? target : null,
    destination_vm_id: job.destination_vm_id,
    volume_snapshots: job.volume_snapshots,
    options: job.options,
    progress_percent: workflow?.progress_percent ?? 0,
    error_message: job.error_message ?? workflow?.error_message ?? null,
    created_at: job.created_at.toISOString(),
    updated_at: job.updated_at.toISOString(),
    completed_at: job.completed_at?.toISOString() ?? null,
  };
}

export function stepView(step: WorkflowStepRecord): FailoverStepView {
  return {
    name: step.name,
    kind: step.step_kind,
    status: step.status,
    started_at: step.started_at.toISOString(),
    completed_at: step.completed_at?.toISOString() ?? null,
    output: step.output,
    error_code: step.error_code,
    error_message: step.error_message,
  };
}
