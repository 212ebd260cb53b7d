// The durable workflow runner (docs/workflows.md): starts workflow jobs detached from any request, owns them
// through a lease renewed by a heartbeat, takes over jobs whose owner stopped, and carries out the operator's
// decision on a paused job. The per-job saga logic is in workflow-execution.ts.
import { MigrateKitError, newJobId, type WorkflowStatus } from '@migratekit/core';
import { isUniqueViolation, type WorkflowJobRecord, type WorkflowJobRepository } from '@migratekit/db';
import type { JobLog } from '../joblog';
import { RunnerHalted, type CrashPoint } from './crash-points';
import { ExecutionStopped, WorkflowExecution, pausedBecause, type ExecutionEnv } from './workflow-execution';
import type { WorkflowDefinition } from './workflow-definition';
import {
  DEFAULT_LEASE,
  type AnyWorkflow,
  type CloseOptions,
  type LeaseSettings,
  type StartWorkflowOptions,
  type StartedWorkflow,
  type WorkflowRunnerDeps,
} from './workflow-runner.types';

interface ActiveJob {
  controller: AbortController;
  done: Promise<void>;
}

type Drive = (execution: WorkflowExecution) => Promise<void>;

/** Wraps every method so it throws RunnerHalted once the runner halted: a dead process writes nothing. */
function guarded<T extends object>(target: T, assertAlive: () => void): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        assertAlive();
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

export class WorkflowRunner {
  private readonly workflows = new Map<string, AnyWorkflow>();
  private readonly active = new Map<string, ActiveJob>();
  private readonly abandoned = new Set<Promise<unknown>>();
  private readonly lease: LeaseSettings;
  private readonly repo: WorkflowJobRepository;
  private readonly joblog: Pick<JobLog, 'log' | 'announce'>;
  private readonly env: ExecutionEnv;
  private loop: { controller: AbortController; done: Promise<void> } | undefined;
  private tickInFlight: Promise<void> | undefined;
  private closing = false;
  private halted = false;

  constructor(private readonly deps: WorkflowRunnerDeps) {
    this.lease = { ...DEFAULT_LEASE, ...deps.lease };
    if (this.lease.heartbeatMs >= this.lease.leaseMs) throw new Error('heartbeatMs must be shorter than leaseMs');
    for (const workflow of deps.workflows) {
      if (this.workflows.has(workflow.name)) throw new Error(`two workflows are named ${workflow.name}`);
      this.workflows.set(workflow.name, workflow);
    }
    const assertAlive = (): void => {
      if (this.halted) throw new RunnerHalted();
    };
    this.repo = guarded(deps.repositories.workflowJobs, assertAlive);
    const steps = guarded(deps.repositories.workflowSteps, assertAlive);
    this.joblog = guarded(deps.joblog, assertAlive);
    this.env = {
      repo: this.repo,
      steps,
      joblog: this.joblog,
      logger: deps.logger,
      serverId: deps.serverId,
      crashPoint: (point) => this.crashPoint(point),
      abandon: (work, step) => this.abandon(work, step),
      stopping: () => this.closing,
    };
  }

  /** Creates the job and runs it in the background; returns at once with its ids. */
  async start<Input, Outputs>(
    workflow: WorkflowDefinition<Input, Outputs>,
    input: Input,
    options: StartWorkflowOptions = {},
  ): Promise<StartedWorkflow> {
    if (this.workflows.get(workflow.name) !== (workflow as AnyWorkflow)) {
      throw new Error(`workflow ${workflow.name} is not registered with this runner`);
    }
    this.assertOpen();
    const id = newJobId(this.deps.clock.now());
    const externalJobId = options.externalJobId ?? id;
    let job: WorkflowJobRecord;
    try {
      job = await this.repo.createJob({
        id,
        external_job_id: externalJobId,
        vm_context_id: options.contextId ?? null,
        parent_job_id: options.parentJobId ?? null,
        job_type: workflow.jobType,
        operation: options.operation ?? workflow.name,
        workflow_name: workflow.name,
        workflow_input: input,
        takeover_policy: workflow.takeover,
        total_steps: workflow.steps.length,
        lease_owner: this.deps.serverId,
        lease_expires_at: this.leaseEnd(),
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new MigrateKitError('MKE_DUPLICATE', {
        message: `A job with external id ${externalJobId} already exists`,
        field: 'external_job_id',
        cause: error,
      });
    }
    await this.joblog.announce(job.id);
    this.launch(job, (execution) => execution.runForward());
    this.ensureLoop();
    return { jobId: job.id, externalJobId };
  }

  /**
   * At start-up: takes over every active workflow job this server id still holds (its previous process died) or
   * whose lease expired, and drives each by its takeover policy. Starts the heartbeat. Returns the job ids.
   */
  async recover(): Promise<string[]> {
    this.assertOpen();
    const claimed = await this.claimAndTakeOver(true);
    this.ensureLoop();
    return claimed;
  }

  /** The operator's decision on a paused job: run its steps on (the interrupted one is inspected first). */
  resume(jobId: string): Promise<void> {
    return this.decide(jobId, 'running', (execution) => execution.runForward());
  }

  /** The operator's decision on a paused or cleanup_required job: undo what its steps did. */
  compensate(jobId: string): Promise<void> {
    return this.decide(jobId, 'compensating', (execution) => execution.compensateAll());
  }

  /**
   * The operator's third decision on a paused job: neither resume nor compensate it; another workflow (the
   * failed-execution cleanup, docs/failover-recovery.md) converges what its steps left. Refused with
   * MKE_ILLEGAL_TRANSITION unless the job is paused.
   */
  async cancel(jobId: string, reason: string): Promise<void> {
    this.assertOpen();
    const cancelled = await this.repo.transition(jobId, {
      owner: null,
      to: 'cancelled',
      error: { code: 'MKE_CANCELLED', message: reason },
    });
    if (!cancelled) {
      const job = await this.repo.getJob(jobId);
      throw new MigrateKitError('MKE_ILLEGAL_TRANSITION', {
        message: `Job ${jobId} is ${job?.status ?? 'missing'}; only a paused job can be cancelled`,
        details: { job_id: jobId, status: job?.status ?? null, requested: 'cancelled' },
      });
    }
    await this.joblog.log(jobId, 'info', `Operator decision: cancel (${reason})`);
    await this.joblog.announce(jobId);
  }

  /** One heartbeat: renews the leases of the running jobs, then takes over jobs whose lease expired. */
  tick(): Promise<void> {
    this.tickInFlight ??= this.heartbeatAndTakeOver().finally(() => {
      this.tickInFlight = undefined;
    });
    return this.tickInFlight;
  }

  /** Resolves when no job is being driven and no heartbeat is in flight (tests; the CLI's drain). */
  async whenIdle(): Promise<void> {
    while (this.active.size > 0 || this.tickInFlight !== undefined) {
      await Promise.all([...[...this.active.values()].map((job) => job.done), this.tickInFlight]);
    }
  }

  /** True once a crash point (or halt()) stopped this runner for good. */
  get isHalted(): boolean {
    return this.halted;
  }

  get activeJobIds(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Graceful stop: takes over nothing more, lets each running step finish (or aborts it), records nothing after
   * it, lets the leases run out so another server takes the jobs over at once, then stops the heartbeat.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    this.closing = true;
    if (options.abortSteps === true) {
      for (const job of this.active.values()) job.controller.abort(new ExecutionStopped('the server is shutting down'));
    }
    await this.whenIdle();
    await this.stopLoop();
  }

  /**
   * Tests: stops dead, as a SIGKILL would: nothing more is written. A step's calls already in flight are not
   * aborted (a request that reached CloudStack completes there even when its caller died), which is the hard
   * case for recovery: the effect exists but is not recorded. Waits for that work to settle.
   */
  async halt(): Promise<void> {
    this.halted = true;
    await this.stopLoop();
    await Promise.allSettled([...[...this.active.values()].map((job) => job.done), ...this.abandoned]);
  }

  private async decide(jobId: string, to: WorkflowStatus, drive: Drive): Promise<void> {
    this.assertOpen();
    const job = await this.repo.getJob(jobId);
    if (job === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `Workflow job ${jobId} not found`,
        details: { job_id: jobId },
      });
    }
    if (!this.workflows.has(job.workflow_name)) {
      throw new MigrateKitError('MKE_CONFLICT', {
        message: `This server has no workflow named ${job.workflow_name}`,
        details: { job_id: jobId, workflow: job.workflow_name },
      });
    }
    // The pause reason goes with the claim; an undone job keeps it as its error, so it still says why it ended.
    const undone =
      to === 'compensating' && job.status === 'paused'
        ? {
            code: 'MKE_JOB_INTERRUPTED',
            message: `Undone on the operator's decision; ${pausedBecause(job.pause_reason)}`,
          }
        : undefined;
    if (!(await this.repo.claimWaiting(jobId, to, this.deps.serverId, this.leaseEnd(), undone))) {
      throw new MigrateKitError('MKE_ILLEGAL_TRANSITION', {
        message: `Job ${jobId} is ${job.status}; it is not waiting for this decision`,
        details: { job_id: jobId, status: job.status, requested: to },
      });
    }
    await this.joblog.log(jobId, 'info', `Operator decision: ${to === 'running' ? 'resume' : 'compensate'}`);
    const claimed = await this.repo.getJob(jobId);
    if (claimed === undefined) throw new Error(`workflow job ${jobId} vanished after the claim`);
    await this.joblog.announce(jobId);
    this.launch(claimed, drive);
    this.ensureLoop();
  }

  private async heartbeatAndTakeOver(): Promise<void> {
    for (const [jobId, job] of this.active) {
      if (!(await this.repo.heartbeat(jobId, this.deps.serverId, this.leaseEnd()))) {
        this.deps.logger.warn({ job_id: jobId }, 'lost the lease of a workflow job; another server owns it now');
        job.controller.abort(new ExecutionStopped('the lease was lost'));
      }
    }
    if (!this.closing) await this.claimAndTakeOver(false);
  }

  private async claimAndTakeOver(includeOwn: boolean): Promise<string[]> {
    const claimed = await this.repo.claimExpired({
      owner: this.deps.serverId,
      leaseExpiresAt: this.leaseEnd(),
      includeOwn,
    });
    const taken: string[] = [];
    for (const { id, previous_owner: previousOwner } of claimed) {
      // Our own job whose lease ran out while we still drive it (a slow heartbeat): the claim renewed it.
      if (this.active.has(id)) continue;
      const job = await this.repo.getJob(id);
      if (job === undefined) continue;
      taken.push(id);
      this.deps.logger.info(
        { job_id: id, previous_owner: previousOwner, status: job.status },
        'taking over workflow job',
      );
      if (!this.workflows.has(job.workflow_name)) {
        await this.repo.transition(id, {
          owner: this.deps.serverId,
          to: 'paused',
          pauseReason: `This server has no workflow named ${job.workflow_name}; run it on a server that has`,
        });
        await this.joblog.announce(id);
        continue;
      }
      this.launch(job, (execution) => execution.takeOver(previousOwner));
    }
    return taken;
  }

  private launch(job: WorkflowJobRecord, drive: Drive): void {
    const workflow = this.workflows.get(job.workflow_name);
    if (workflow === undefined) throw new Error(`no workflow named ${job.workflow_name}`);
    const controller = new AbortController();
    const execution = new WorkflowExecution(this.env, workflow, job, controller.signal);
    const done = Promise.resolve()
      .then(() => drive(execution))
      .catch((error: unknown) => this.executionEnded(job.id, error))
      .finally(() => this.active.delete(job.id));
    this.active.set(job.id, { controller, done });
  }

  private async executionEnded(jobId: string, error: unknown): Promise<void> {
    if (error instanceof RunnerHalted || this.halted) return;
    if (error instanceof ExecutionStopped) {
      this.deps.logger.info({ job_id: jobId, reason: error.reason }, 'stopped driving workflow job');
    } else {
      this.deps.logger.error(
        { job_id: jobId, err: error },
        'workflow execution failed outside its steps; the job is left for takeover',
      );
    }
    // Another server (or this one, at its next heartbeat) may take the job over now.
    await this.repo.expireLease(jobId, this.deps.serverId);
  }

  private crashPoint(point: CrashPoint): void {
    if (this.halted) throw new RunnerHalted();
    if (this.deps.crashHook?.(point) === true) {
      this.deps.logger.warn({ ...point }, 'crash point reached: the runner halts');
      void this.halt();
      throw new RunnerHalted();
    }
  }

  private abandon(work: Promise<unknown>, step: string): void {
    const settled = work.then(
      () => this.deps.logger.info({ step }, 'work left in flight by a crash finished'),
      (error: unknown) => this.deps.logger.info({ step, err: error }, 'work left in flight by a crash failed'),
    );
    this.abandoned.add(settled);
  }

  private ensureLoop(): void {
    if (this.loop !== undefined || this.closing || this.halted) return;
    const controller = new AbortController();
    const run = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          await this.deps.clock.sleep(this.lease.heartbeatMs, controller.signal);
        } catch (error) {
          if (controller.signal.aborted) return;
          throw error;
        }
        try {
          await this.tick();
        } catch (error) {
          if (error instanceof RunnerHalted) return;
          this.deps.logger.error({ err: error }, 'workflow heartbeat failed; retrying at the next one');
        }
      }
    };
    this.loop = { controller, done: run() };
  }

  private async stopLoop(): Promise<void> {
    const loop = this.loop;
    if (loop === undefined) return;
    loop.controller.abort(new ExecutionStopped('the runner is closing'));
    await loop.done;
    await this.tickInFlight?.catch((error: unknown) => {
      if (!(error instanceof RunnerHalted)) throw error;
    });
  }

  private assertOpen(): void {
    if (this.closing || this.halted) {
      throw new MigrateKitError('MKE_CONFLICT', { message: 'The workflow runner is shutting down' });
    }
  }

  private leaseEnd(): Date {
    return new Date(this.deps.clock.now().getTime() + this.lease.leaseMs);
  }
}
