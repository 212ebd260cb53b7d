// VM contexts (docs/model.md#identity): one row per managed VM; status changes are conditional UPDATEs so the state
// machine holds even when two requests race.
import { allowedSources, MigrateKitError, type ContextStatus } from '@migratekit/core';
import type { NewRow, Row, RowUpdate } from '../schema';
import { sql } from 'kysely';
import {
  affected,
  isUniqueViolation,
  pageBounds,
  type Page,
  type Paging,
  type RepositoryDeps,
} from './repository-deps';

export type ContextRecord = Omit<Row<'vm_replication_contexts'>, 'current_status'> & { current_status: ContextStatus };

export type NewContext = Omit<
  NewRow<'vm_replication_contexts'>,
  'active_vmware_vm_id' | 'current_status' | 'created_at' | 'updated_at' | 'last_status_change'
> & { current_status?: ContextStatus };

/** Fields that describe the VM (refreshed from discovery) and its configuration; status has its own method. */
export type ContextPatch = Omit<
  RowUpdate<'vm_replication_contexts'>,
  | 'context_id'
  | 'vmware_vm_id'
  | 'active_vmware_vm_id'
  | 'current_status'
  | 'current_job_id'
  | 'total_jobs_run'
  | 'successful_jobs'
  | 'failed_jobs'
  | 'created_at'
  | 'updated_at'
  | 'last_status_change'
>;

export type ContextSortColumn = 'vm_name' | 'created_at' | 'updated_at' | 'last_job_at' | 'current_status';

export interface ContextFilter {
  status?: readonly ContextStatus[];
  /** Case-insensitive substring of the VM name. */
  search?: string;
  vcenterHost?: string;
  credentialId?: string;
}

export interface ContextListOptions extends Paging {
  sort?: ContextSortColumn;
  direction?: 'asc' | 'desc';
}

export type JobOutcome = 'succeeded' | 'failed' | 'cancelled';

/** `lower(column) LIKE %text%` with the wildcards in `text` escaped; '!' escapes the same way on every engine. */
function containsIgnoringCase(column: 'vm_name', text: string) {
  const pattern = `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '!'`;
}

function toRecord(row: Row<'vm_replication_contexts'>): ContextRecord {
  return row as ContextRecord;
}

export class ContextRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Throws MKE_VM_ALREADY_MANAGED when an active context exists for the same vmware_vm_id. */
  async create(input: NewContext): Promise<ContextRecord> {
    const now = this.deps.clock.now();
    try {
      await this.deps.db
        .insertInto('vm_replication_contexts')
        .values({
          ...input,
          current_status: input.current_status ?? 'discovered',
          active_vmware_vm_id: input.current_status === 'completed' ? null : input.vmware_vm_id,
          created_at: now,
          updated_at: now,
          last_status_change: now,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error) && (await this.findActiveByVmwareVmId(input.vmware_vm_id)) !== undefined) {
        throw new MigrateKitError('MKE_VM_ALREADY_MANAGED', {
          field: 'vmware_vm_id',
          details: { vmware_vm_id: input.vmware_vm_id },
          cause: error,
        });
      }
      throw error;
    }
    return this.require(input.context_id);
  }

  /** The contexts with these ids that exist, by id. */
  async getMany(contextIds: readonly string[]): Promise<Map<string, ContextRecord>> {
    const result = new Map<string, ContextRecord>();
    if (contextIds.length === 0) return result;
    const rows = await this.deps.db
      .selectFrom('vm_replication_contexts')
      .selectAll()
      .where('context_id', 'in', [...contextIds])
      .execute();
    for (const row of rows) result.set(row.context_id, row as ContextRecord);
    return result;
  }

  async get(contextId: string): Promise<ContextRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('vm_replication_contexts')
      .selectAll()
      .where('context_id', '=', contextId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Like get, but a missing context is MKE_NOT_FOUND. */
  async require(contextId: string): Promise<ContextRecord> {
    const context = await this.get(contextId);
    if (context === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `VM context ${contextId} not found`,
        details: { context_id: contextId },
      });
    }
    return context;
  }

  async findActiveByVmwareVmId(vmwareVmId: string): Promise<ContextRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('vm_replication_contexts')
      .selectAll()
      .where('active_vmware_vm_id', '=', vmwareVmId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** For the legacy name-based paths: the active contexts whose VM has this display name. */
  async findActiveByVmName(vmName: string): Promise<ContextRecord[]> {
    const rows = await this.deps.db
      .selectFrom('vm_replication_contexts')
      .selectAll()
      .where('vm_name', '=', vmName)
      .where('active_vmware_vm_id', 'is not', null)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toRecord);
  }

  /**
   * The active contexts whose VM has one of these instance UUIDs or display names, in one query per chunk of
   * 500 (discovery marks thousands of VMs as managed or colliding by name).
   */
  async listActiveByVmwareIdsOrNames(
    vmwareVmIds: readonly string[],
    vmNames: readonly string[],
  ): Promise<ContextRecord[]> {
    const found = new Map<string, ContextRecord>();
    const chunk = 500;
    for (let i = 0; i < Math.max(vmwareVmIds.length, vmNames.length); i += chunk) {
      const ids = vmwareVmIds.slice(i, i + chunk);
      const names = vmNames.slice(i, i + chunk);
      const rows = await this.deps.db
        .selectFrom('vm_replication_contexts')
        .selectAll()
        .where('active_vmware_vm_id', 'is not', null)
        .where((eb) =>
          eb.or([
            ...(ids.length === 0 ? [] : [eb('active_vmware_vm_id', 'in', ids)]),
            ...(names.length === 0 ? [] : [eb('vm_name', 'in', names)]),
          ]),
        )
        .execute();
      for (const row of rows) found.set(row.context_id, toRecord(row));
    }
    return [...found.values()];
  }

  async list(filter: ContextFilter = {}, options: ContextListOptions = {}): Promise<Page<ContextRecord>> {
    const { limit, offset } = pageBounds(options);
    let query = this.deps.db.selectFrom('vm_replication_contexts');
    if (filter.status !== undefined && filter.status.length > 0) {
      query = query.where('current_status', 'in', [...filter.status]);
    }
    if (filter.search !== undefined && filter.search !== '') {
      query = query.where(containsIgnoringCase('vm_name', filter.search));
    }
    if (filter.vcenterHost !== undefined) query = query.where('vcenter_host', '=', filter.vcenterHost);
    if (filter.credentialId !== undefined) query = query.where('credential_id', '=', filter.credentialId);
    const sort = options.sort ?? 'vm_name';
    const direction = options.direction ?? 'asc';
    // NULLs (a VM that never ran a job) last on every engine; the engines disagree by default. Only the nullable
    // column needs it: on the others the extra key would stop the engine from reading the index in order.
    const ordered = sort === 'last_job_at' ? query.orderBy(sql`${sql.ref(sort)} is null`) : query;
    const [rows, count] = await Promise.all([
      ordered
        .selectAll()
        .orderBy(sort, direction)
        .orderBy('context_id', direction)
        .limit(limit)
        .offset(offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toRecord), total: Number(count.total) };
  }

  async update(contextId: string, patch: ContextPatch): Promise<ContextRecord> {
    const result = await this.deps.db
      .updateTable('vm_replication_contexts')
      .set({ ...patch, updated_at: this.deps.clock.now() })
      .where('context_id', '=', contextId)
      .executeTakeFirst();
    if (affected(result) === 0) await this.require(contextId);
    return this.require(contextId);
  }

  /**
   * Moves the context to `to` only if its current status is one the state machine allows (optionally narrowed
   * by `from`). The check is part of the UPDATE's WHERE, so of two racing requests at most one legal change
   * wins. Refused: MKE_ILLEGAL_TRANSITION with details.current_status.
   */
  async transitionStatus(
    contextId: string,
    to: ContextStatus,
    options: { from?: readonly ContextStatus[] } = {},
  ): Promise<ContextRecord> {
    const sources = allowedSources(to).filter((s) => options.from === undefined || options.from.includes(s));
    if (sources.length > 0) {
      const now = this.deps.clock.now();
      const result = await this.deps.db
        .updateTable('vm_replication_contexts')
        .set({
          current_status: to,
          last_status_change: now,
          updated_at: now,
          // A completed context frees its VMware VM for a new context.
          ...(to === 'completed' ? { active_vmware_vm_id: null } : {}),
        })
        .where('context_id', '=', contextId)
        .where('current_status', 'in', sources)
        .executeTakeFirst();
      if (affected(result) === 1) return this.require(contextId);
    }
    const current = await this.require(contextId);
    throw new MigrateKitError('MKE_ILLEGAL_TRANSITION', {
      message: `Cannot change status from ${current.current_status} to ${to}`,
      details: { current_status: current.current_status, requested_status: to, context_id: contextId },
    });
  }

  /**
   * Claims the context's single job slot: fails with MKE_JOB_ACTIVE when another job holds it, so two jobs for
   * one VM can never run at once. Counts the job and stamps first/last job times.
   */
  async claimJob(contextId: string, jobId: string): Promise<ContextRecord> {
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('vm_replication_contexts')
      .set((eb) => ({
        current_job_id: jobId,
        total_jobs_run: eb('total_jobs_run', '+', 1),
        first_job_at: eb.fn.coalesce('first_job_at', eb.val(now)),
        last_job_at: now,
        updated_at: now,
      }))
      .where('context_id', '=', contextId)
      .where('current_job_id', 'is', null)
      .executeTakeFirst();
    const context = await this.require(contextId);
    if (affected(result) === 0) {
      throw new MigrateKitError('MKE_JOB_ACTIVE', {
        details: { context_id: contextId, current_job_id: context.current_job_id },
      });
    }
    return context;
  }

  /** Releases the job slot if `jobId` holds it and counts the outcome; false when it did not hold it. */
  async releaseJob(contextId: string, jobId: string, outcome: JobOutcome): Promise<boolean> {
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('vm_replication_contexts')
      .set((eb) => ({
        current_job_id: null,
        updated_at: now,
        ...(outcome === 'succeeded'
          ? { successful_jobs: eb('successful_jobs', '+', 1), last_successful_job_id: jobId }
          : outcome === 'failed'
            ? { failed_jobs: eb('failed_jobs', '+', 1) }
            : {}),
      }))
      .where('context_id', '=', contextId)
      .where('current_job_id', '=', jobId)
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Deletes the context; every VM-related row goes with it (ON DELETE CASCADE). */
  async delete(contextId: string): Promise<boolean> {
    const result = await this.deps.db
      .deleteFrom('vm_replication_contexts')
      .where('context_id', '=', contextId)
      .executeTakeFirst();
    return affected(result) === 1;
  }
}
