// The shapes of a recovery plan run (docs/recovery-plans.md): the plan resolved to VMs when the run starts,
// stored as the parent workflow job's input, and the ports the stage steps use.
import type { CloudStackClient } from '@migratekit/cloudstack';
import type { Clock, RecoveryStageCondition, WorkflowStatus } from '@migratekit/core';
import type { FailoverType, Repositories } from '@migratekit/db';
import type { StartFailoverRequest, StartedFailover } from '../failover/failover.service';

/** job_tracking.job_type of a plan's parent job; its children are failover jobs. */
export const RECOVERY_PLAN_JOB_TYPE = 'recovery-plan';
/** A plan has at most this many stages: one registered workflow per stage count (docs/recovery-plans.md). */
export const MAX_RECOVERY_STAGES = 20;

export interface ResolvedVm {
  context_id: string;
  vm_name: string;
}

export interface ResolvedStage {
  name: string;
  wait_condition: RecoveryStageCondition;
  wait_seconds: number;
  /** In start order: groups by group priority, then single VMs in the order listed. */
  vms: ResolvedVm[];
}

/** The parent job's input: everything a server that takes the run over needs, as JSON. */
export interface PlanRunInput {
  runId: string;
  planId: string;
  planName: string;
  failoverType: FailoverType;
  stages: ResolvedStage[];
}

/** One child failover of a stage as the stage step records it. */
export interface StageChild {
  context_id: string;
  vm_name: string;
  failover_job_id: string;
  workflow_job_id: string;
  status: WorkflowStatus;
  error_message: string | null;
}

export interface StageOutput {
  stage: string;
  children: StageChild[];
}

export interface RecoveryPlanLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** What the stage steps need; the failover port is bound late (the failover service needs the runner first). */
export interface RecoveryPlanDeps {
  repositories: Repositories;
  clock: Clock;
  logger: RecoveryPlanLogger;
  startFailover(request: StartFailoverRequest & { parentJobId: string }): Promise<StartedFailover>;
  cloud(): Promise<Pick<CloudStackClient, 'listVirtualMachines'>>;
  /**
   * Waits between reads of the child jobs and of CloudStack. Real time in production: it paces polling of work
   * that runs elsewhere, not the product's own schedule (the stage delay uses the clock).
   */
  pause(ms: number, signal: AbortSignal): Promise<void>;
  /** How often children and CloudStack are read (default 1 s). */
  pollMs?: number;
}
