// The JobLog (docs/model.md#the-joblog): every long operation is a job with ordered steps, structured log events and
// progress. Callers know the job's external id up front, so a GUI can follow a job whose internal id it never saw.
import {
  errorMessage,
  isMigrateKitError,
  MigrateKitError,
  newJobId,
  type Clock,
  type ErrorCode,
} from '@migratekit/core';
import {
  isForeignKeyViolation,
  isUniqueViolation,
  type JobFilter,
  type JobLeaseRepository,
  type JobLogRepository,
  type JobRecord,
  type JobStepRecord,
  type LogEventRecord,
  type LogLevel,
  type Page,
  type Paging,
} from '@migratekit/db';
import type { PublishEvent } from '../events/event-types';

export interface JobLogDeps {
  repositories: { jobLog: JobLogRepository; jobLeases: JobLeaseRepository };
  clock: Clock;
  publish: PublishEvent;
  /**
   * This server's lease on the jobs it starts (docs/scale-out.md): its id and how long a lease lasts without a
   * heartbeat. Default: one server ('migratekit-server', 30 s).
   */
  lease?: { owner: string; leaseMs: number };
}

const DEFAULT_JOB_LEASE = { owner: 'migratekit-server', leaseMs: 30_000 };

export interface StartJobInput {
  /** What kind of work: 'replication', 'failover', 'cleanup', 'discovery'... */
  jobType: string;
  /** A human description: 'initial copy of pgtest1', 'test failover'. */
  operation: string;
  contextId?: string | null;
  /** Known to the caller at request time; generated (equal to the job id) when not given. */
  externalJobId?: string;
  parentJobId?: string;
  totalSteps?: number;
  owner?: string;
  metadata?: Record<string, unknown>;
  /** The agent the job's work goes to (docs/scale-out.md). */
  agentId?: string;
  /** Queue the job (pending, no owner) until the server holding `agentId` claims it, at the latest by `until`. */
  queueUntil?: Date;
}

export interface JobDetails extends JobRecord {
  steps: JobStepRecord[];
  logs: LogEventRecord[];
  children: JobRecord[];
}

/** What a step's body gets: its job and a logger that tags events with the step name. */
export interface StepContext {
  jobId: string;
  stepName: string;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): Promise<void>;
}

const INTERRUPTED_MESSAGE = 'The job was interrupted by a restart of the server';
const DETAIL_LOG_LIMIT = 1000;

function errorCodeOf(error: unknown): ErrorCode {
  return isMigrateKitError(error) ? error.code : 'MKE_INTERNAL';
}

export class JobLog {
  constructor(private readonly deps: JobLogDeps) {}

  private get repo(): JobLogRepository {
    return this.deps.repositories.jobLog;
  }

  async startJob(input: StartJobInput): Promise<JobRecord> {
    const id = newJobId(this.deps.clock.now());
    let contextId = input.contextId ?? null;
    if (input.parentJobId !== undefined && contextId === null) {
      // A child job belongs to the same VM as its parent unless told otherwise.
      contextId = (await this.requireJob(input.parentJobId)).vm_context_id;
    }
    let job: JobRecord;
    try {
      job = await this.repo.createJob({
        id,
        external_job_id: input.externalJobId ?? id,
        parent_job_id: input.parentJobId ?? null,
        vm_context_id: contextId,
        job_type: input.jobType,
        operation: input.operation,
        status: input.queueUntil === undefined ? 'running' : 'pending',
        owner: input.owner ?? null,
        total_steps: input.totalSteps ?? null,
        metadata: input.metadata ?? null,
        agent_id: input.agentId ?? null,
        ...(input.queueUntil === undefined
          ? { lease_owner: this.lease.owner, lease_expires_at: this.leaseEnd() }
          : { lease_owner: null, lease_expires_at: input.queueUntil }),
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new MigrateKitError('MKE_DUPLICATE', {
          message: `A job with external id ${input.externalJobId ?? id} already exists`,
          field: 'external_job_id',
          cause: error,
        });
      }
      if (isForeignKeyViolation(error)) {
        throw new MigrateKitError('MKE_NOT_FOUND', {
          message: 'The parent job or VM context of the new job does not exist',
          details: { parent_job_id: input.parentJobId, context_id: contextId },
          cause: error,
        });
      }
      throw error;
    }
    this.emit({ type: 'job.updated', job });
    return job;
  }

  /** A job whose parent is `parentJobId` (and, unless given, the parent's VM context). */
  startChildJob(parentJobId: string, input: Omit<StartJobInput, 'parentJobId'>): Promise<JobRecord> {
    return this.startJob({ ...input, parentJobId });
  }

  /**
   * Runs one step: records its start, its end, or its error. A throw marks the step AND the job failed with the
   * error's message and code, then rethrows. Steps are numbered in the order they start.
   */
  async runStep<T>(jobId: string, stepName: string, body: (step: StepContext) => Promise<T>): Promise<T> {
    const job = await this.requireJob(jobId);
    if (job.status === 'cancelled') {
      throw new MigrateKitError('MKE_CANCELLED', { details: { job_id: jobId, step: stepName } });
    }
    if (job.status !== 'running' && job.status !== 'pending') {
      throw new MigrateKitError('MKE_CONFLICT', {
        message: `Job ${jobId} is ${job.status}; no further steps can run`,
        details: { job_id: jobId, status: job.status },
      });
    }
    if (job.status === 'pending') {
      await this.repo.updateJob(jobId, { status: 'running', started_at: this.deps.clock.now() });
    }
    const step = await this.repo.startStep(jobId, stepName);
    this.emit({ type: 'job.step', job_id: jobId, step });
    const context: StepContext = {
      jobId,
      stepName,
      log: async (level, message, fields) => {
        await this.log(jobId, level, message, fields, stepName);
      },
    };
    let result: T;
    try {
      result = await body(context);
    } catch (error) {
      const failure = { code: errorCodeOf(error), message: errorMessage(error) };
      this.emit({ type: 'job.step', job_id: jobId, step: await this.repo.finishStep(step.id, 'failed', failure) });
      await this.log(
        jobId,
        'error',
        `Step ${stepName} failed`,
        { error: failure.message, code: failure.code },
        stepName,
      );
      await this.failJob(jobId, error);
      throw error;
    }
    this.emit({ type: 'job.step', job_id: jobId, step: await this.repo.finishStep(step.id, 'completed') });
    const counted = await this.repo.incrementCompletedSteps(jobId);
    if (
      counted !== undefined &&
      !counted.progress_explicit &&
      counted.total_steps !== null &&
      counted.total_steps > 0
    ) {
      const percent = Math.min(100, Math.round((counted.completed_steps * 1000) / counted.total_steps) / 10);
      await this.repo.updateJob(jobId, { progress_percent: percent });
    }
    await this.emitJob(jobId);
    return result;
  }

  async completeJob(jobId: string, metadata?: Record<string, unknown>): Promise<JobRecord> {
    await this.requireJob(jobId);
    if (metadata !== undefined) await this.repo.updateJob(jobId, { metadata });
    await this.repo.finishJob(jobId, 'completed');
    return this.emitJob(jobId);
  }

  /** Marks the job failed with the error's message and code; a job that already ended keeps its first end. */
  async failJob(jobId: string, error: unknown): Promise<JobRecord> {
    await this.requireJob(jobId);
    await this.repo.finishJob(jobId, 'failed', { code: errorCodeOf(error), message: errorMessage(error) });
    return this.emitJob(jobId);
  }

  async cancelJob(jobId: string, reason = 'Cancelled by the operator'): Promise<JobRecord> {
    await this.requireJob(jobId);
    await this.repo.finishJob(jobId, 'cancelled', { code: 'MKE_CANCELLED', message: reason });
    return this.emitJob(jobId);
  }

  async log(
    jobId: string,
    level: LogLevel,
    message: string,
    fields?: Record<string, unknown>,
    step?: string,
  ): Promise<LogEventRecord> {
    const event = await this.repo.appendLog({
      job_id: jobId,
      step: step ?? null,
      level,
      message,
      fields: fields ?? null,
    });
    this.emit({ type: 'job.log', job_id: jobId, log: event });
    return event;
  }

  /** Sets the job's progress explicitly (0-100); from then on step completions no longer change it. */
  async setProgress(jobId: string, percent: number): Promise<JobRecord> {
    const bounded = Math.min(100, Math.max(0, percent));
    await this.repo.updateJob(jobId, { progress_percent: bounded, progress_explicit: true });
    return this.emitJob(jobId);
  }

  async setTotalSteps(jobId: string, totalSteps: number): Promise<JobRecord> {
    await this.repo.updateJob(jobId, { total_steps: totalSteps });
    return this.emitJob(jobId);
  }

  async getJob(jobId: string): Promise<JobDetails | undefined> {
    const job = await this.repo.getJob(jobId);
    return job && this.withDetails(job);
  }

  async getJobByExternalId(externalJobId: string): Promise<JobDetails | undefined> {
    const job = await this.repo.getJobByExternalId(externalJobId);
    return job && this.withDetails(job);
  }

  listJobs(filter: JobFilter = {}, paging: Paging = {}): Promise<Page<JobRecord>> {
    return this.repo.listJobs(filter, paging);
  }

  /**
   * Claims queued jobs of `jobType` routed to one of `agentIds` (the agents this server holds) and marks them
   * running under this server's lease (docs/scale-out.md). Returns the claimed jobs.
   */
  async claimQueuedJobs(jobType: string, agentIds: readonly string[]): Promise<JobRecord[]> {
    const claimed = await this.deps.repositories.jobLeases.claimQueued({
      owner: this.lease.owner,
      leaseExpiresAt: this.leaseEnd(),
      agentIds,
      jobType,
    });
    const started: JobRecord[] = [];
    for (const job of claimed) {
      await this.repo.updateJob(job.id, { status: 'running', started_at: this.deps.clock.now() });
      started.push(await this.emitJob(job.id));
    }
    return started;
  }

  /**
   * Every plain job left pending or running by a server that is gone becomes `interrupted`, and its running step
   * failed with MKE_JOB_INTERRUPTED: jobs whose lease expired (their server stopped heartbeating), queued jobs
   * nobody claimed in time, jobs from before leases existed, and (`includeOwn`, at start-up) this server id's own
   * jobs, which no process runs any more. A live server's jobs are never touched. Returns the jobs it marked.
   */
  async markInterruptedJobs(options: { includeOwn?: boolean } = {}): Promise<JobRecord[]> {
    const claimed = await this.deps.repositories.jobLeases.claimOrphaned({
      owner: this.lease.owner,
      leaseExpiresAt: this.leaseEnd(),
      includeOwn: options.includeOwn ?? true,
    });
    const marked: JobRecord[] = [];
    for (const job of claimed) {
      const failure = {
        code: 'MKE_JOB_INTERRUPTED',
        message:
          job.previous_owner === null || job.previous_owner === this.lease.owner
            ? INTERRUPTED_MESSAGE
            : `The job was interrupted: server ${job.previous_owner} stopped while it ran`,
      };
      await this.repo.failRunningSteps(job.id, failure);
      if (await this.repo.finishJob(job.id, 'interrupted', failure)) {
        marked.push(await this.emitJob(job.id));
      }
    }
    return marked;
  }

  /**
   * Publishes a job (and a step of it) that another writer changed: the workflow runner writes its own rows
   * (packages/server/src/workflows) and announces them here so the live stream shows them like any job.
   */
  async announce(jobId: string, step?: JobStepRecord): Promise<JobRecord> {
    if (step !== undefined) this.emit({ type: 'job.step', job_id: jobId, step });
    return this.emitJob(jobId);
  }

  private get lease(): { owner: string; leaseMs: number } {
    return this.deps.lease ?? DEFAULT_JOB_LEASE;
  }

  private leaseEnd(): Date {
    return new Date(this.deps.clock.now().getTime() + this.lease.leaseMs);
  }

  private async withDetails(job: JobRecord): Promise<JobDetails> {
    const [steps, logs, children] = await Promise.all([
      this.repo.listSteps(job.id),
      this.repo.listLogs(job.id, { limit: DETAIL_LOG_LIMIT }),
      this.repo.listChildren(job.id),
    ]);
    return { ...job, steps, logs, children };
  }

  private async requireJob(jobId: string): Promise<JobRecord> {
    const job = await this.repo.getJob(jobId);
    if (job === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Job ${jobId} not found`, details: { job_id: jobId } });
    }
    return job;
  }

  private async emitJob(jobId: string): Promise<JobRecord> {
    const job = await this.requireJob(jobId);
    this.emit({ type: 'job.updated', job });
    return job;
  }

  private emit(event: Parameters<PublishEvent>[0]): void {
    try {
      this.deps.publish(event);
    } catch {
      // A broken subscriber must not fail the job it observes.
    }
  }
}
