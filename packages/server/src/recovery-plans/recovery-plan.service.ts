// Recovery plans (docs/recovery-plans.md): the operator's ordered stages of groups or VMs, a run as one parent
// workflow job whose steps are the stages (each starting child failovers), and "undo what ran": the existing
// cleanup (test) or rollback (live) of every child failover that completed. The run row follows its parent
// job's status on every job event and before each read.
import {
  MigrateKitError,
  errorMessage,
  newId,
  type Clock,
  type RecoveryPlanRunStatus,
  type WorkflowStatus,
} from '@migratekit/core';
import type { FailoverType, RecoveryPlanRunRecord, Repositories, UndoJobRecord } from '@migratekit/db';
import type { EventBus } from '../events/event-bus';
import type { ServerEvent } from '../events/event-types';
import type { RecoveryService } from '../failover/recovery';
import type { AuditContext, AuditService } from '../services/audit.service';
import type { WorkflowRunner } from '../workflows';
import { resolvePlanStages, resolveStageInput, type StageRequest } from './plan-resolution';
import type { RecoveryPlanWorkflows } from './recovery-plan-workflows';
import { planView, runView, type RecoveryPlanRunView, type RecoveryPlanView } from './recovery-plan-views';
import { RECOVERY_PLAN_JOB_TYPE, type PlanRunInput, type RecoveryPlanLogger } from './recovery-plan.types';

export interface RecoveryPlanServiceDeps {
  repositories: Repositories;
  runner: Pick<WorkflowRunner, 'start'>;
  workflows: RecoveryPlanWorkflows;
  recovery: Pick<RecoveryService, 'rollback' | 'repair'>;
  audit: AuditService;
  clock: Clock;
  logger: RecoveryPlanLogger;
  events?: EventBus<ServerEvent>;
}

export interface PlanRequest {
  name: string;
  description?: string | null;
  stages: StageRequest[];
}

export interface UndoRequest {
  /** Live runs: power the source VMs on again after the rollback. */
  power_on_source?: boolean;
}

/** The run status a parent workflow status means; undefined while it is still running. */
const RUN_STATUS_OF: Partial<Record<WorkflowStatus, RecoveryPlanRunStatus>> = {
  running: 'running',
  pending: 'running',
  paused: 'paused',
  completed: 'completed',
  failed: 'failed',
  compensated: 'failed',
  cleanup_required: 'failed',
  cancelled: 'cancelled',
};
const RUN_JOB_TYPES: readonly string[] = [RECOVERY_PLAN_JOB_TYPE, 'cleanup', 'rollback', 'failover-repair'];
const ACTIVE_RUN: readonly RecoveryPlanRunStatus[] = ['running', 'paused', 'undoing'];
const UNDO_SETTLED: readonly string[] = ['completed', 'failed', 'compensated', 'cleanup_required', 'cancelled'];

export class RecoveryPlanService {
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: RecoveryPlanServiceDeps) {
    const events = deps.events;
    this.unsubscribe =
      events === undefined
        ? () => undefined
        : events.subscribe((event) => {
            // Only the parent jobs and the undo jobs move a run (replication progress events do not).
            if (event.type !== 'job.updated' || !RUN_JOB_TYPES.includes(event.job.job_type)) return;
            void this.syncActiveRuns().catch((error: unknown) =>
              deps.logger.error({ err: errorMessage(error) }, 'could not update the recovery plan runs'),
            );
          });
  }

  close(): void {
    this.unsubscribe();
  }

  async list(): Promise<RecoveryPlanView[]> {
    const plans = await this.deps.repositories.recoveryPlans.list();
    return Promise.all(plans.map((p) => planView(this.deps.repositories, p)));
  }

  async get(ref: string): Promise<RecoveryPlanView> {
    return planView(this.deps.repositories, await this.requirePlan(ref));
  }

  async create(request: PlanRequest, who: AuditContext): Promise<RecoveryPlanView> {
    const stages = await resolveStageInput(this.deps.repositories, request.stages);
    const plan = await this.deps.repositories.recoveryPlans.create({
      name: request.name,
      description: request.description ?? null,
      created_by: who.principal.username,
      stages,
    });
    await this.record(who, 'recovery_plan.created', plan.id, { name: plan.name, stages: stages.length });
    return planView(this.deps.repositories, plan);
  }

  async update(ref: string, request: Partial<PlanRequest>, who: AuditContext): Promise<RecoveryPlanView> {
    const plan = await this.requirePlan(ref);
    const stages =
      request.stages === undefined ? undefined : await resolveStageInput(this.deps.repositories, request.stages);
    const updated = await this.deps.repositories.recoveryPlans.update(plan.id, {
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(request.description === undefined ? {} : { description: request.description }),
      ...(stages === undefined ? {} : { stages }),
    });
    await this.record(who, 'recovery_plan.updated', plan.id, { name: updated.name });
    return planView(this.deps.repositories, updated);
  }

  async delete(ref: string, who: AuditContext): Promise<void> {
    const plan = await this.requirePlan(ref);
    await this.assertNoActiveRun(plan.id, plan.name);
    await this.deps.repositories.recoveryPlans.delete(plan.id);
    await this.record(who, 'recovery_plan.deleted', plan.id, { name: plan.name });
  }

  /** Starts a run: resolves the stages to VMs, checks they are ready, and starts the parent workflow. */
  async run(ref: string, failoverType: FailoverType, who: AuditContext): Promise<RecoveryPlanRunView> {
    const { repositories } = this.deps;
    const plan = await this.requirePlan(ref);
    await this.assertNoActiveRun(plan.id, plan.name);
    const stages = await resolvePlanStages(repositories, plan);
    const notReady: string[] = [];
    for (const vm of stages.flatMap((s) => s.vms)) {
      const context = await repositories.contexts.require(vm.context_id);
      if (context.current_status !== 'ready_for_failover' || context.current_job_id !== null)
        notReady.push(`${vm.vm_name} (${context.current_status}${context.current_job_id === null ? '' : ', busy'})`);
    }
    if (notReady.length > 0)
      throw new MigrateKitError('MKE_ILLEGAL_TRANSITION', {
        message: `Recovery plan ${plan.name} cannot run: not ready for failover: ${notReady.join(', ')}`,
        details: { not_ready: notReady },
      });
    const workflow = this.deps.workflows.get(stages.length);
    if (workflow === undefined) throw new Error(`no recovery plan workflow for ${stages.length} stages`);
    const runId = newId('planrun');
    const input: PlanRunInput = { runId, planId: plan.id, planName: plan.name, failoverType, stages };
    // The parent job's external id is the run id, so the job is found by the run even before the row exists.
    const started = await this.deps.runner.start(workflow, input, {
      externalJobId: runId,
      operation: `${failoverType} recovery plan ${plan.name}`,
    });
    const run = await repositories.recoveryPlans.createRun({
      id: runId,
      plan_id: plan.id,
      plan_name: plan.name,
      job_id: started.jobId,
      failover_type: failoverType,
      stage_count: stages.length,
      requested_by: who.principal.username,
    });
    await this.record(who, `recovery_plan.run.${failoverType}`, plan.id, { run_id: run.id, job_id: started.jobId });
    return runView(repositories, await this.sync(run));
  }

  async listRuns(ref: string, limit = 50): Promise<RecoveryPlanRunView[]> {
    const plan = await this.requirePlan(ref);
    const runs = await this.deps.repositories.recoveryPlans.listRuns(plan.id, limit);
    const views: RecoveryPlanRunView[] = [];
    for (const run of runs) views.push(await runView(this.deps.repositories, await this.sync(run)));
    return views;
  }

  async getRun(ref: string, runId: string): Promise<RecoveryPlanRunView> {
    const run = await this.requireRun(ref, runId);
    return runView(this.deps.repositories, await this.sync(run));
  }

  /**
   * Undoes what a finished run did: a test cleanup or live rollback of every child failover that completed,
   * and the failed-execution cleanup of any left cleanup_required. Allowed once the run stopped.
   */
  async undo(ref: string, runId: string, request: UndoRequest, who: AuditContext): Promise<RecoveryPlanRunView> {
    const { repositories } = this.deps;
    const run = await this.sync(await this.requireRun(ref, runId));
    if (!['completed', 'failed', 'cancelled', 'undo_failed'].includes(run.status))
      throw new MigrateKitError('MKE_ILLEGAL_TRANSITION', {
        message: `Run ${run.id} is ${run.status}: only a finished run can be undone`,
        details: { status: run.status },
      });
    const failoverType = run.failover_type === 'live' ? 'live' : 'test';
    const children = await repositories.jobLog.listChildren(run.job_id);
    const jobs: UndoJobRecord[] = [];
    // Last stage first: what started last depends on what started before it.
    for (const child of [...children].reverse()) {
      const failover = await repositories.failoverJobs.get(child.external_job_id);
      if (failover === undefined) continue;
      const vm = failover.vm_context_id;
      // A child that cannot be undone now (its VM busy) is recorded with the reason: the undo ends undo_failed.
      try {
        let started: { job_id: string } | undefined;
        if (failover.status === 'completed')
          started = await this.deps.recovery.rollback(
            { vm, failoverType, powerOnSource: failoverType === 'live' && request.power_on_source === true },
            who,
          );
        else if (failover.status === 'cleanup_required')
          started = await this.deps.recovery.repair(vm, who, { powerOnSource: request.power_on_source === true });
        if (started !== undefined)
          jobs.push({ failover_job_id: failover.job_id, vm_context_id: vm, job_id: started.job_id });
      } catch (error) {
        jobs.push({ failover_job_id: failover.job_id, vm_context_id: vm, job_id: null, error: errorMessage(error) });
      }
    }
    if (!(await repositories.recoveryPlans.transitionRun(run.id, { to: 'undoing', undo_jobs: jobs })))
      throw new MigrateKitError('MKE_CONFLICT', { message: `Run ${run.id} changed while it was being undone` });
    await this.record(who, 'recovery_plan.run.undo', run.plan_id, { run_id: run.id, jobs: jobs.length });
    return runView(repositories, await this.sync(await repositories.recoveryPlans.requireRun(run.id)));
  }

  /** Brings every active run in line with its jobs (events, start-up). */
  async syncActiveRuns(): Promise<void> {
    const runs = await this.deps.repositories.recoveryPlans.listRunsByStatus(ACTIVE_RUN);
    for (const run of runs) await this.sync(run);
  }

  /** The run's status from its parent job (while it runs) or from its undo jobs (while undoing). */
  private async sync(run: RecoveryPlanRunRecord): Promise<RecoveryPlanRunRecord> {
    const { recoveryPlans, workflowJobs } = this.deps.repositories;
    let to: RecoveryPlanRunStatus | undefined;
    let error: string | null | undefined;
    if (run.status === 'running' || run.status === 'paused') {
      const parent = await workflowJobs.getJob(run.job_id);
      to = parent === undefined ? undefined : RUN_STATUS_OF[parent.status];
      error = parent?.error_message;
    } else if (run.status === 'undoing') {
      const statuses = await Promise.all(
        run.undo_jobs.map(async (j) => (j.job_id === null ? 'failed' : (await workflowJobs.getJob(j.job_id))?.status)),
      );
      if (statuses.every((s) => s !== undefined && UNDO_SETTLED.includes(s))) {
        const failed = run.undo_jobs.filter((_, i) => statuses[i] !== 'completed');
        to = failed.length === 0 ? 'undone' : 'undo_failed';
        error =
          failed.length === 0
            ? run.error_message
            : `undo did not complete for ${failed.map((j) => j.vm_context_id).join(', ')}`;
      }
    }
    if (to === undefined || to === run.status) return run;
    const moved = await recoveryPlans.transitionRun(run.id, {
      to,
      ...(error === undefined ? {} : { error_message: error }),
    });
    if (moved) this.deps.logger.info({ run_id: run.id, from: run.status, to }, 'recovery plan run status');
    return recoveryPlans.requireRun(run.id);
  }

  private async requirePlan(ref: string) {
    const { recoveryPlans } = this.deps.repositories;
    const byId = await recoveryPlans.get(ref);
    if (byId !== undefined) return byId;
    const byName = await recoveryPlans.findByName(ref);
    if (byName !== undefined) return recoveryPlans.require(byName.id);
    throw new MigrateKitError('MKE_NOT_FOUND', { message: `Recovery plan ${ref} not found`, field: 'params.id' });
  }

  private async requireRun(ref: string, runId: string): Promise<RecoveryPlanRunRecord> {
    const plan = await this.requirePlan(ref);
    const run = await this.deps.repositories.recoveryPlans.requireRun(runId);
    if (run.plan_id !== plan.id)
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `Run ${runId} is not a run of ${plan.name}`,
        field: 'params.run_id',
      });
    return run;
  }

  private async assertNoActiveRun(planId: string, name: string): Promise<void> {
    await this.syncActiveRuns();
    const active = (await this.deps.repositories.recoveryPlans.listRuns(planId, 20)).find((r) =>
      ACTIVE_RUN.includes(r.status),
    );
    if (active !== undefined)
      throw new MigrateKitError('MKE_JOB_ACTIVE', {
        message: `Recovery plan ${name} has a run that is ${active.status} (${active.id})`,
        details: { run_id: active.id },
      });
  }

  private async record(who: AuditContext, action: string, targetId: string, details: Record<string, unknown>) {
    await this.deps.audit.record({
      actor: who.principal,
      action,
      targetType: 'recovery_plan',
      targetId,
      details,
      ...(who.requestId === undefined ? {} : { requestId: who.requestId }),
    });
  }
}

export { RECOVERY_PLAN_JOB_TYPE };
