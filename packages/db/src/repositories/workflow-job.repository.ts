// Workflow jobs (docs/workflows.md): job_tracking rows with a workflow, an input and a lease (their steps:
// workflow-step.repository.ts). The workflow runner in the server is the only writer. Every status change is conditional on the transition table (packages/core/src/workflow-status.ts) and
// on the writer still holding the lease, so a server that lost its job cannot overwrite the new owner's work.
import {
  ACTIVE_WORKFLOW_STATUSES,
  TERMINAL_WORKFLOW_STATUSES,
  allowedWorkflowSources,
  type WorkflowStatus,
} from '@migratekit/core';
import type { ExpressionBuilder } from 'kysely';
import type { DatabaseSchema, Row } from '../schema';
import type { JobRecord } from './job-log.repository';
import { affected, fromJson, toJson, type RepositoryDeps } from './repository-deps';

export const TAKEOVER_POLICIES = ['resume', 'compensate', 'pause'] as const;
export type TakeoverPolicy = (typeof TAKEOVER_POLICIES)[number];

export type WorkflowJobRecord = Omit<JobRecord, 'status' | 'workflow_input' | 'workflow_name' | 'takeover_policy'> & {
  status: WorkflowStatus;
  workflow_name: string;
  workflow_input: unknown;
  takeover_policy: TakeoverPolicy;
};

export interface NewWorkflowJob {
  id: string;
  external_job_id: string;
  vm_context_id?: string | null;
  parent_job_id?: string | null;
  job_type: string;
  operation: string;
  workflow_name: string;
  workflow_input: unknown;
  takeover_policy: TakeoverPolicy;
  total_steps: number;
  lease_owner: string;
  lease_expires_at: Date;
}

export interface WorkflowTransition {
  /** The lease holder making the change; null for a job no server holds (a paused job). */
  owner: string | null;
  to: WorkflowStatus;
  error?: { code: string; message: string } | null;
  pauseReason?: string | null;
}

export interface ClaimOptions {
  owner: string;
  leaseExpiresAt: Date;
  limit?: number;
  /** Also claim jobs this owner id still holds (a restart of the same server: nothing of it runs any more). */
  includeOwn?: boolean;
}

export interface ClaimedJob {
  id: string;
  /** Who held the job before: the server that stopped (null when nobody did). */
  previous_owner: string | null;
}

type JobsBuilder = ExpressionBuilder<DatabaseSchema, 'job_tracking'>;

const toWorkflowJob = (row: Row<'job_tracking'>): WorkflowJobRecord => ({
  ...(row as unknown as Omit<WorkflowJobRecord, 'metadata' | 'workflow_input'>),
  metadata: fromJson<Record<string, unknown>>(row.metadata),
  workflow_input: fromJson<unknown>(row.workflow_input),
});

export class WorkflowJobRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async createJob(input: NewWorkflowJob): Promise<WorkflowJobRecord> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('job_tracking')
      .values({
        id: input.id,
        external_job_id: input.external_job_id,
        parent_job_id: input.parent_job_id ?? null,
        vm_context_id: input.vm_context_id ?? null,
        job_type: input.job_type,
        operation: input.operation,
        status: 'running',
        owner: input.lease_owner,
        total_steps: input.total_steps,
        error_code: null,
        error_message: null,
        metadata: null,
        created_at: now,
        updated_at: now,
        started_at: now,
        completed_at: null,
        workflow_name: input.workflow_name,
        workflow_input: toJson(input.workflow_input) ?? 'null',
        takeover_policy: input.takeover_policy,
        lease_owner: input.lease_owner,
        lease_expires_at: input.lease_expires_at,
      })
      .execute();
    const job = await this.getJob(input.id);
    if (job === undefined) throw new Error(`workflow job ${input.id} vanished after insert`);
    return job;
  }

  async getJob(id: string): Promise<WorkflowJobRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('job_tracking')
      .selectAll()
      .where('id', '=', id)
      .where('workflow_name', 'is not', null)
      .executeTakeFirst();
    return row && toWorkflowJob(row);
  }

  async listJobs(status: readonly WorkflowStatus[]): Promise<WorkflowJobRecord[]> {
    const rows = await this.deps.db
      .selectFrom('job_tracking')
      .selectAll()
      .where('workflow_name', 'is not', null)
      .where('status', 'in', [...status])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toWorkflowJob);
  }

  /**
   * Moves the job to `to` if the transition table allows it from its current status and `owner` holds it.
   * A terminal or paused job gives its lease up. False when the job was not in a source status or not held.
   */
  async transition(id: string, change: WorkflowTransition): Promise<boolean> {
    const now = this.deps.clock.now();
    const releases = change.to === 'paused' || change.to === 'cleanup_required' || isTerminal(change.to);
    let query = this.deps.db
      .updateTable('job_tracking')
      .set({
        status: change.to,
        updated_at: now,
        ...(isTerminal(change.to) ? { completed_at: now } : {}),
        ...(change.to === 'completed' ? { progress_percent: 100 } : {}),
        ...(change.error !== undefined
          ? { error_code: change.error?.code ?? null, error_message: change.error?.message ?? null }
          : {}),
        ...(change.pauseReason !== undefined ? { pause_reason: change.pauseReason } : {}),
        ...(releases ? { lease_owner: null, lease_expires_at: null } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', allowedWorkflowSources(change.to));
    query =
      change.owner === null ? query.where('lease_owner', 'is', null) : query.where('lease_owner', '=', change.owner);
    return affected(await query.executeTakeFirst()) === 1;
  }

  /**
   * The operator's decision on a paused (or cleanup_required) job: moves it to `to` and gives it to `owner`.
   * `error` becomes the job's error (why a paused job is undone). False when the job is not waiting for a
   * decision (someone else decided first).
   */
  async claimWaiting(
    id: string,
    to: WorkflowStatus,
    owner: string,
    leaseExpiresAt: Date,
    error?: { code: string; message: string },
  ): Promise<boolean> {
    const result = await this.deps.db
      .updateTable('job_tracking')
      .set({
        status: to,
        pause_reason: null,
        ...(error === undefined ? {} : { error_code: error.code, error_message: error.message }),
        lease_owner: owner,
        lease_expires_at: leaseExpiresAt,
        updated_at: this.deps.clock.now(),
      })
      .where('id', '=', id)
      .where('workflow_name', 'is not', null)
      .where('lease_owner', 'is', null)
      .where('status', 'in', allowedWorkflowSources(to))
      .where('status', 'not in', [...ACTIVE_WORKFLOW_STATUSES])
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Extends the lease; false when `owner` no longer holds the job (it expired and another server took it). */
  async heartbeat(id: string, owner: string, leaseExpiresAt: Date): Promise<boolean> {
    const result = await this.deps.db
      .updateTable('job_tracking')
      .set({ lease_expires_at: leaseExpiresAt })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Lets the lease run out now, so another server may take the job over at once (graceful shutdown). */
  async expireLease(id: string, owner: string): Promise<boolean> {
    const result = await this.deps.db
      .updateTable('job_tracking')
      .set({ lease_expires_at: this.deps.clock.now() })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /**
   * Takes over active workflow jobs whose lease expired (or that nobody holds). PostgreSQL and MariaDB lock the
   * candidates with SELECT ... FOR UPDATE SKIP LOCKED so concurrent servers split them; SQLite has one writer at
   * a time, so a conditional UPDATE per candidate is enough. Returns the jobs this owner now holds.
   */
  async claimExpired(options: ClaimOptions): Promise<ClaimedJob[]> {
    const limit = options.limit ?? 100;
    if (this.deps.engine === 'sqlite') {
      const candidates = await this.deps.db
        .selectFrom('job_tracking')
        .select(['id', 'lease_owner'])
        .where((eb) => this.claimable(eb, options))
        .orderBy('created_at')
        .limit(limit)
        .execute();
      const claimed: ClaimedJob[] = [];
      for (const candidate of candidates) {
        const result = await this.deps.db
          .updateTable('job_tracking')
          .set(this.leaseTo(options))
          .where('id', '=', candidate.id)
          .where((eb) => this.claimable(eb, options))
          .executeTakeFirst();
        if (affected(result) === 1) claimed.push({ id: candidate.id, previous_owner: candidate.lease_owner });
      }
      return claimed;
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('job_tracking')
        .select(['id', 'lease_owner'])
        .where((eb) => this.claimable(eb, options))
        .orderBy('created_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      const ids = rows.map((row) => row.id);
      if (ids.length > 0) {
        await trx.updateTable('job_tracking').set(this.leaseTo(options)).where('id', 'in', ids).execute();
      }
      return rows.map((row) => ({ id: row.id, previous_owner: row.lease_owner }));
    });
  }

  private claimable(eb: JobsBuilder, options: ClaimOptions) {
    const now = this.deps.clock.now();
    const free = [
      eb('lease_owner', 'is', null),
      eb('lease_expires_at', 'is', null),
      eb('lease_expires_at', '<=', now),
      ...(options.includeOwn === true ? [eb('lease_owner', '=', options.owner)] : []),
    ];
    return eb.and([
      eb('workflow_name', 'is not', null),
      eb('status', 'in', [...ACTIVE_WORKFLOW_STATUSES]),
      eb.or(free),
    ]);
  }

  private leaseTo(options: ClaimOptions) {
    return { lease_owner: options.owner, lease_expires_at: options.leaseExpiresAt, updated_at: this.deps.clock.now() };
  }
}

function isTerminal(status: WorkflowStatus): boolean {
  return TERMINAL_WORKFLOW_STATUSES.includes(status);
}
