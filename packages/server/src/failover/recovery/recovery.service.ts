// The way back from a failover (docs/failover-recovery.md): test cleanup, live rollback (the operator chooses to
// power the source on and to keep the target VM), the rollback decision (what it will do and lose) and the
// failed-execution cleanup. Each request is checked here, audited with who decided, and started as a workflow.
import { MigrateKitError, errorMessage, newJobId, type Clock } from '@migratekit/core';
import type { ContextRecord, FailoverJobRecord, FailoverType, Repositories } from '@migratekit/db';
import type { EventBus } from '../../events/event-bus';
import type { ServerEvent } from '../../events/event-types';
import { contextByVmReference } from '../../network-mapping/context-lookup';
import type { AuditContext, AuditService } from '../../services/audit.service';
import type { WorkflowDefinition, WorkflowRunner } from '../../workflows';
import { readFailoverInventory } from './failover-inventory';
import { describeDecision, type RollbackDecision } from './rollback-decision';
import { UNDONE_FAILOVER_STATUSES } from './recovery-statuses';
import { summarize } from './recovery-steps';
import type { RecoveryDeps, RecoveryInput, RecoveryKind } from './recovery.types';

export interface RecoveryServiceDeps {
  repositories: Repositories;
  runner: Pick<WorkflowRunner, 'start' | 'cancel'>;
  workflows: Record<RecoveryKind, WorkflowDefinition<RecoveryInput, unknown>>;
  recovery: RecoveryDeps;
  audit: AuditService;
  clock: Clock;
  /** When given, a failover whose compensation failed is repaired at once (the failed-execution cleanup). */
  events?: EventBus<ServerEvent>;
}

export interface RollbackRequest {
  vm: string;
  failoverType: FailoverType;
  powerOnSource?: boolean;
  keepTarget?: boolean;
}

export interface StartedRecovery {
  job_id: string;
  external_job_id: string;
  workflow: RecoveryKind;
  context_id: string;
  failover_job_ids: string[];
  power_on_source: boolean;
  keep_target: boolean;
}

/** Failover jobs a cleanup or rollback may act on: finished, failed or left for repair, not undone yet. */
const UNDOABLE: readonly string[] = ['completed', 'failed', 'cleanup_required', 'rolling_back'];

export class RecoveryService {
  /** Failover workflow jobs already handed to an automatic repair (job.updated repeats a status). */
  private readonly repairedAfter = new Set<string>();

  private readonly unsubscribe: () => void;

  constructor(private readonly deps: RecoveryServiceDeps) {
    const events = deps.events;
    this.unsubscribe = events === undefined ? () => undefined : events.subscribe((event) => this.onEvent(event));
  }

  /** A failover workflow that ended cleanup_required (a compensation failed) is repaired once, at once. */
  private onEvent(event: ServerEvent): void {
    if (event.type !== 'job.updated' || event.job.job_type !== 'failover') return;
    if (event.job.status !== 'cleanup_required' || event.job.vm_context_id === null) return;
    if (this.repairedAfter.has(event.job.id)) return;
    this.repairedAfter.add(event.job.id);
    void this.repairAfterFailedCompensation(event.job.id, event.job.vm_context_id);
  }

  /** Stops starting repairs on job events (the composition root's shutdown). */
  close(): void {
    this.unsubscribe();
  }

  /** The runner left a failover cleanup_required (a compensation failed): converge without waiting for anyone. */
  private async repairAfterFailedCompensation(workflowJobId: string, contextId: string): Promise<void> {
    const { logger } = this.deps.recovery;
    try {
      const started = await this.repair(contextId, 'system');
      logger.info({ workflowJobId, repairJobId: started.external_job_id }, 'failover compensation failed: repairing');
    } catch (error) {
      logger.warn(
        { workflowJobId, contextId, err: errorMessage(error) },
        'could not start the repair of a failover whose compensation failed; run the failover cleanup',
      );
    }
  }

  /** Test cleanup of the VM's latest test failover. */
  cleanupTest(vm: string, who: AuditContext): Promise<StartedRecovery> {
    return this.rollback({ vm, failoverType: 'test' }, who);
  }

  /** Legacy DELETE /failover/test/{job_id}: the test cleanup of that failover job. */
  async cleanupTestJob(failoverJobId: string, who: AuditContext): Promise<StartedRecovery> {
    const job = await this.deps.repositories.failoverJobs.require(failoverJobId);
    if (job.job_type !== 'test')
      throw new MigrateKitError('MKE_VALIDATION', {
        message: `Failover job ${failoverJobId} is a live failover: roll it back instead`,
        field: 'params.job_id',
      });
    const latest = await this.deps.repositories.failoverJobs.findLatest(job.vm_context_id, 'test');
    if (latest?.job_id !== job.job_id)
      throw new MigrateKitError('MKE_CONFLICT', {
        message: `Failover job ${failoverJobId} is not the VM's latest test failover (${latest?.job_id ?? 'none'})`,
      });
    return this.rollback({ vm: job.vm_context_id, failoverType: 'test' }, who);
  }

  /** Live rollback (or test cleanup for failoverType 'test') of the VM's latest failover of that type. */
  async rollback(request: RollbackRequest, who: AuditContext): Promise<StartedRecovery> {
    const context = await contextByVmReference(this.deps.repositories, request.vm);
    const job = await this.undoableFailover(context, request.failoverType);
    await this.assertNoActiveWorkflow(context);
    const kind: RecoveryKind = request.failoverType === 'test' ? 'test-cleanup' : 'live-rollback';
    return this.start(kind, context, [job.job_id], {
      powerOnSource: request.failoverType === 'live' && (request.powerOnSource ?? false),
      keepTarget: request.keepTarget ?? false,
      who,
    });
  }

  /** The failed-execution cleanup: converges every open failover of the VM to the clean state. */
  async repair(vm: string, who: AuditContext | 'system', options: { powerOnSource?: boolean } = {}) {
    const context = await contextByVmReference(this.deps.repositories, vm);
    await this.cancelPausedFailovers(context);
    await this.assertNoActiveWorkflow(context);
    const jobs = (await this.deps.repositories.failoverJobs.listByContext(context.context_id)).filter(
      (j) => !UNDONE_FAILOVER_STATUSES.includes(j.status),
    );
    return this.start(
      'failover-repair',
      context,
      jobs.map((j) => j.job_id),
      { powerOnSource: options.powerOnSource ?? false, keepTarget: false, who },
    );
  }

  /** What a rollback of the VM's latest failover of this type would do and lose, read from the real state. */
  async decision(failoverType: FailoverType, vm: string): Promise<RollbackDecision> {
    const context = await contextByVmReference(this.deps.repositories, vm);
    const job = await this.deps.repositories.failoverJobs.findLatest(context.context_id, failoverType);
    const undoable = job !== undefined && UNDONE_FAILOVER_STATUSES.includes(job.status) === false;
    const inventory =
      job === undefined
        ? undefined
        : summarize(
            await readFailoverInventory(
              this.deps.recovery,
              context.context_id,
              undoable ? [job] : [],
              AbortSignal.timeout(60_000),
            ),
          );
    return describeDecision({ failoverType, context, job, inventory });
  }

  private async undoableFailover(context: ContextRecord, type: FailoverType): Promise<FailoverJobRecord> {
    const job = await this.deps.repositories.failoverJobs.findLatest(context.context_id, type);
    if (job === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `${context.vm_name} has no ${type} failover to ${type === 'test' ? 'clean up' : 'roll back'}`,
        field: 'params.vm',
      });
    if (!UNDOABLE.includes(job.status))
      throw new MigrateKitError('MKE_ILLEGAL_TRANSITION', {
        message: `The latest ${type} failover of ${context.vm_name} is ${job.status}; nothing to undo now`,
        details: { failover_job_id: job.job_id, status: job.status },
      });
    return job;
  }

  /**
   * A failover paused after a takeover waits for the operator; asking for the failed-execution cleanup is that
   * decision: the paused workflow is cancelled and the cleanup converges what its steps left.
   */
  private async cancelPausedFailovers(context: ContextRecord): Promise<void> {
    const paused = await this.deps.repositories.workflowJobs.listJobs(['paused']);
    for (const job of paused.filter((j) => j.vm_context_id === context.context_id && j.job_type === 'failover'))
      await this.deps.runner.cancel(job.id, 'replaced by the failed-execution cleanup');
  }

  /** One workflow at a time per VM: a running failover, cleanup or rollback must end (or be paused) first. */
  private async assertNoActiveWorkflow(context: ContextRecord): Promise<void> {
    const active = await this.deps.repositories.workflowJobs.listJobs(['pending', 'running', 'compensating', 'paused']);
    const mine = active.find((j) => j.vm_context_id === context.context_id);
    if (mine !== undefined)
      throw new MigrateKitError('MKE_JOB_ACTIVE', {
        message: `${mine.workflow_name} job ${mine.external_job_id} is ${mine.status} for ${context.vm_name}`,
        details: { context_id: context.context_id, current_job_id: mine.external_job_id },
      });
  }

  private async start(
    kind: RecoveryKind,
    context: ContextRecord,
    failoverJobIds: string[],
    options: { powerOnSource: boolean; keepTarget: boolean; who: AuditContext | 'system' },
  ): Promise<StartedRecovery> {
    const requestedBy = options.who === 'system' ? 'system' : options.who.principal.username;
    const input: RecoveryInput = {
      kind,
      contextId: context.context_id,
      failoverJobIds,
      powerOnSource: options.powerOnSource,
      keepTarget: options.keepTarget,
      requestedBy,
    };
    const externalJobId = newJobId(this.deps.clock.now(), kind === 'failover-repair' ? 'repair' : kind);
    const started = await this.deps.runner.start(this.deps.workflows[kind], input, {
      externalJobId,
      contextId: context.context_id,
      operation: `${kind} of ${context.vm_name}`,
    });
    await this.deps.audit.record({
      actor: options.who === 'system' ? 'system' : options.who.principal,
      action: `failover.${kind}`,
      targetType: 'vm_context',
      targetId: context.context_id,
      vmContextId: context.context_id,
      details: {
        job_id: started.externalJobId,
        failover_job_ids: failoverJobIds,
        power_on_source: options.powerOnSource,
        keep_target: options.keepTarget,
      },
      ...(options.who === 'system' || options.who.requestId === undefined ? {} : { requestId: options.who.requestId }),
    });
    return {
      job_id: started.jobId,
      external_job_id: started.externalJobId,
      workflow: kind,
      context_id: context.context_id,
      failover_job_ids: failoverJobIds,
      power_on_source: options.powerOnSource,
      keep_target: options.keepTarget,
    };
  }
}
