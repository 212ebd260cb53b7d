// The failover rules (docs/failover.md): who may fail over, with which options, and the one place that starts a
// failover workflow. A request returns at once with the failover job id (= the workflow job's external id); the
// work runs on the workflow runner, detached from the request.
import { MigrateKitError, isMigrateKitError, type FailoverJobStatus } from '@migratekit/core';
import type { ContextRecord, FailoverJobRecord } from '@migratekit/db';
import type { EventBus } from '../events/event-bus';
import type { ServerEvent } from '../events/event-types';
import { contextByVmReference } from '../network-mapping/context-lookup';
import type { AuditContext } from '../services/audit.service';
import type { WorkflowRunner } from '../workflows';
import type { FailoverDeps } from './failover-deps';
import { syncFailoverJob } from './failover-job-sync';
import { failoverJobView, stepView, type FailoverJobView, type FailoverStatusView } from './failover-views';
import type { FailoverWorkflows } from './failover-workflows';
import {
  FAILOVER_JOB_TYPE,
  defaultOptions,
  targetVmNameFor,
  type FailoverOptions,
  type FailoverType,
  type FailoverWorkflowInput,
} from './failover.types';
import { blockingJob, runPreflight, type PreflightReport } from './preflight';

export interface FailoverServiceDeps extends FailoverDeps {
  runner: WorkflowRunner;
  workflows: FailoverWorkflows;
  events: EventBus<ServerEvent>;
}

export interface StartFailoverRequest {
  /** Context id, VMware instance UUID or VM name. */
  vm: string;
  type: FailoverType;
  options?: Partial<FailoverOptions>;
  /** The recovery plan run's parent job, when a plan starts this failover (docs/recovery-plans.md). */
  parentJobId?: string;
}

export interface StartedFailover {
  job_id: string;
  workflow_job_id: string;
  context_id: string;
  failover_type: FailoverType;
  target_vm_name: string;
  status: FailoverJobStatus;
}

export interface PreflightConfig {
  context_id: string;
  vm_name: string;
  failover_type: FailoverType;
  target_vm_name: string;
  options: FailoverOptions;
  preflight: PreflightReport;
}

export interface Readiness {
  context_id: string;
  vm_name: string;
  status: string;
  test: { ready: boolean; blocking: string[] };
  live: { ready: boolean; blocking: string[] };
}

export class FailoverService {
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: FailoverServiceDeps) {
    // Mirror every failover workflow's status into failover_jobs as it changes.
    this.unsubscribe = deps.events.subscribe((event) => {
      if (event.type !== 'job.updated' || event.job.job_type !== FAILOVER_JOB_TYPE) return;
      void this.syncByExternalId(event.job.external_job_id).catch((error: unknown) =>
        deps.logger.error({ err: error, job_id: event.job.id }, 'could not update the failover job'),
      );
    });
  }

  /** Stops mirroring job events (shutdown). */
  close(): void {
    this.unsubscribe();
  }

  /** Starts a test or live failover; 409 when another job holds the VM or it is already failed over. */
  async start(request: StartFailoverRequest, audit?: AuditContext): Promise<StartedFailover> {
    const { repositories, clock } = this.deps;
    const context = await contextByVmReference(repositories, request.vm);
    const blocking = await blockingJob(this.deps, context);
    if (blocking !== null)
      throw new MigrateKitError('MKE_JOB_ACTIVE', {
        message: `Cannot fail over ${context.vm_name}: ${blocking}`,
        details: { context_id: context.context_id, blocking },
      });
    if (context.current_status !== 'ready_for_failover')
      throw new MigrateKitError('MKE_ILLEGAL_TRANSITION', {
        message: `Cannot fail over ${context.vm_name}: it is ${context.current_status}`,
        details: { context_id: context.context_id, current_status: context.current_status },
      });
    const options = this.options(request.type, request.options);
    const targetVmName = targetVmNameFor(request.type, context.vm_name, clock.now());
    // The planned name is stored before anything is deployed: cleanup finds the VM by it (docs/failover.md).
    const job = await repositories.failoverJobs.create({
      vm_context_id: context.context_id,
      replication_job_id: context.last_successful_job_id,
      job_type: request.type,
      source_vm_name: context.vm_name,
      source_vm_spec: { cpu_count: context.cpu_count, memory_mb: context.memory_mb, os_type: context.os_type },
      options: { ...options, targetVmName },
    });
    const input: FailoverWorkflowInput = {
      failoverJobId: job.job_id,
      contextId: context.context_id,
      type: request.type,
      targetVmName,
      options,
    };
    const workflow = this.deps.workflows[request.type];
    const started = await this.deps.runner.start(workflow, input, {
      externalJobId: job.job_id,
      contextId: context.context_id,
      parentJobId: request.parentJobId ?? null,
      operation: `${request.type} failover of ${context.vm_name}`,
    });
    await this.deps.audit.record({
      actor: audit?.principal ?? 'system',
      action: `failover.${request.type}.started`,
      targetType: 'failover_job',
      targetId: job.job_id,
      vmContextId: context.context_id,
      details: { options, target_vm_name: targetVmName },
      ...(audit?.requestId === undefined ? {} : { requestId: audit.requestId }),
    });
    return {
      job_id: job.job_id,
      workflow_job_id: started.jobId,
      context_id: context.context_id,
      failover_type: request.type,
      target_vm_name: targetVmName,
      status: job.status,
    };
  }

  async preflightConfig(type: FailoverType, vm: string, options?: Partial<FailoverOptions>): Promise<PreflightConfig> {
    const context = await contextByVmReference(this.deps.repositories, vm);
    const merged = this.options(type, options);
    const targetVmName = targetVmNameFor(type, context.vm_name, this.deps.clock.now());
    const preflight = await runPreflight(this.deps, context, type, merged, targetVmName);
    return {
      context_id: context.context_id,
      vm_name: context.vm_name,
      failover_type: type,
      target_vm_name: targetVmName,
      options: merged,
      preflight,
    };
  }

  async readiness(vm: string): Promise<Readiness> {
    const context = await contextByVmReference(this.deps.repositories, vm);
    const check = async (type: FailoverType) => {
      const options = defaultOptions(type);
      const report = await runPreflight(
        this.deps,
        context,
        type,
        options,
        targetVmNameFor(type, context.vm_name, this.deps.clock.now()),
      );
      return { ready: report.ok, blocking: report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message}`) };
    };
    return {
      context_id: context.context_id,
      vm_name: context.vm_name,
      status: context.current_status,
      test: await check('test'),
      live: await check('live'),
    };
  }

  /** A failover by its job id (or its workflow job's id), with every step of the workflow. */
  async status(jobId: string): Promise<FailoverStatusView> {
    const job = await this.requireJob(jobId);
    const workflow = await this.workflowOf(job.job_id);
    const synced = await syncFailoverJob(this.deps.repositories, this.deps.logger, job, workflow);
    const steps = workflow === undefined ? [] : await this.deps.repositories.workflowSteps.listSteps(workflow.id);
    return { ...failoverJobView(synced, workflow), steps: steps.map(stepView) };
  }

  async list(filter: { vm?: string; type?: FailoverType; status?: FailoverJobStatus; limit?: number } = {}) {
    const context = filter.vm === undefined ? undefined : await contextByVmReference(this.deps.repositories, filter.vm);
    const jobs = await this.deps.repositories.failoverJobs.list({
      ...(context === undefined ? {} : { contextId: context.context_id }),
      ...(filter.type === undefined ? {} : { type: filter.type }),
      ...(filter.status === undefined ? {} : { statuses: [filter.status] }),
      limit: filter.limit ?? 100,
    });
    const items: FailoverJobView[] = [];
    for (const job of jobs) {
      const workflow = await this.workflowOf(job.job_id);
      items.push(
        failoverJobView(await syncFailoverJob(this.deps.repositories, this.deps.logger, job, workflow), workflow),
      );
    }
    return { items };
  }

  /** The operator's decision on a paused failover: resume its steps or undo them. */
  async decide(jobId: string, decision: 'resume' | 'compensate'): Promise<FailoverStatusView> {
    const job = await this.requireJob(jobId);
    const workflow = await this.workflowOf(job.job_id);
    if (workflow === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Failover ${job.job_id} has no workflow job` });
    if (decision === 'resume') await this.deps.runner.resume(workflow.id);
    else await this.deps.runner.compensate(workflow.id);
    return this.status(job.job_id);
  }

  /** Brings failover_jobs in line with workflow jobs a restart settled (called at start-up). */
  async syncAll(): Promise<void> {
    const open = await this.deps.repositories.failoverJobs.list({ statuses: ['pending', 'running'], limit: 1000 });
    for (const job of open) await this.syncByExternalId(job.job_id);
  }

  private async syncByExternalId(failoverJobId: string): Promise<void> {
    const job = await this.deps.repositories.failoverJobs.get(failoverJobId);
    if (job === undefined) return;
    await syncFailoverJob(this.deps.repositories, this.deps.logger, job, await this.workflowOf(failoverJobId));
  }

  private async workflowOf(failoverJobId: string) {
    const row = await this.deps.repositories.jobLog.getJobByExternalId(failoverJobId);
    return row === undefined ? undefined : this.deps.repositories.workflowJobs.getJob(row.id);
  }

  private async requireJob(jobId: string): Promise<FailoverJobRecord> {
    const direct = await this.deps.repositories.failoverJobs.get(jobId);
    if (direct !== undefined) return direct;
    const workflow = await this.deps.repositories.workflowJobs.getJob(jobId);
    if (workflow !== undefined && workflow.job_type === FAILOVER_JOB_TYPE)
      return this.deps.repositories.failoverJobs.require(workflow.external_job_id);
    throw new MigrateKitError('MKE_NOT_FOUND', {
      message: `Failover job ${jobId} not found`,
      field: 'params.job_id',
      details: { job_id: jobId },
    });
  }

  private options(type: FailoverType, given: Partial<FailoverOptions> | undefined): FailoverOptions {
    const merged = { ...defaultOptions(type), ...given };
    if (type === 'test') merged.final_sync = false;
    return merged;
  }
}

export function isBlockedError(error: unknown): boolean {
  return isMigrateKitError(error) && (error.code === 'MKE_JOB_ACTIVE' || error.code === 'MKE_ILLEGAL_TRANSITION');
}

export type { ContextRecord };
