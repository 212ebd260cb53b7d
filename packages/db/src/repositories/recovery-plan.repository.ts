// recovery_plans, their stages and members, and their runs (docs/recovery-plans.md). A plan's stages are
// written as a whole: saving a plan replaces its stages and members in one transaction, so a plan is never
// read half-edited.
import { MigrateKitError, newId, recoveryPlanRunStatuses, type RecoveryPlanRunStatus } from '@migratekit/core';
import type { Kysely } from 'kysely';
import type { DatabaseSchema, Row } from '../schema';
import { affected, fromJson, isUniqueViolation, toJson, type RepositoryDeps } from './repository-deps';

export type RecoveryPlanRecord = Row<'recovery_plans'>;

export interface RecoveryPlanMemberInput {
  /** Exactly one of them. */
  group_id?: string | null;
  vm_context_id?: string | null;
}

export interface RecoveryPlanStageInput {
  name: string;
  wait_condition: string;
  wait_seconds: number;
  members: readonly RecoveryPlanMemberInput[];
}

export interface RecoveryPlanMember {
  position: number;
  group_id: string | null;
  vm_context_id: string | null;
}

export interface RecoveryPlanStage {
  id: string;
  position: number;
  name: string;
  wait_condition: string;
  wait_seconds: number;
  members: RecoveryPlanMember[];
}

export interface RecoveryPlanWithStages extends RecoveryPlanRecord {
  stages: RecoveryPlanStage[];
}

export interface NewRecoveryPlan {
  name: string;
  description?: string | null;
  created_by?: string | null;
  stages: readonly RecoveryPlanStageInput[];
}

export interface RecoveryPlanPatch {
  name?: string;
  description?: string | null;
  /** When given, replaces every stage. */
  stages?: readonly RecoveryPlanStageInput[];
}

/** One cleanup or rollback an undo started for a child failover. */
export interface UndoJobRecord {
  failover_job_id: string;
  vm_context_id: string;
  /** The recovery workflow job (job_tracking.id); null when it could not be started. */
  job_id: string | null;
  /** Why the cleanup or rollback could not be started (the VM was busy, for instance). */
  error?: string | null;
}

export type RecoveryPlanRunRecord = Omit<Row<'recovery_plan_runs'>, 'status' | 'undo_jobs'> & {
  status: RecoveryPlanRunStatus;
  undo_jobs: UndoJobRecord[];
};

export interface NewRecoveryPlanRun {
  id?: string;
  plan_id: string;
  plan_name: string;
  job_id: string;
  failover_type: string;
  stage_count: number;
  requested_by: string;
}

export interface RunTransition {
  to: RecoveryPlanRunStatus;
  error_message?: string | null;
  undo_jobs?: readonly UndoJobRecord[];
}

function toRun(row: Row<'recovery_plan_runs'>): RecoveryPlanRunRecord {
  const status = row.status;
  if (!recoveryPlanRunStatuses.is(status)) throw new Error(`recovery plan run ${row.id} has status ${status}`);
  return { ...row, status, undo_jobs: fromJson<UndoJobRecord[]>(row.undo_jobs) ?? [] };
}

export class RecoveryPlanRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(input: NewRecoveryPlan): Promise<RecoveryPlanWithStages> {
    const now = this.deps.clock.now();
    const id = newId('plan');
    await this.write(input.name, async (db) => {
      await db
        .insertInto('recovery_plans')
        .values({
          id,
          name: input.name,
          description: input.description ?? null,
          created_by: input.created_by ?? null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await insertStages(db, id, input.stages);
    });
    return this.require(id);
  }

  async update(id: string, patch: RecoveryPlanPatch): Promise<RecoveryPlanWithStages> {
    const plan = await this.require(id);
    await this.write(patch.name ?? plan.name, async (db) => {
      await db
        .updateTable('recovery_plans')
        .set({
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.description === undefined ? {} : { description: patch.description }),
          updated_at: this.deps.clock.now(),
        })
        .where('id', '=', id)
        .execute();
      if (patch.stages === undefined) return;
      // Members go with their stages (ON DELETE CASCADE).
      await db.deleteFrom('recovery_plan_stages').where('plan_id', '=', id).execute();
      await insertStages(db, id, patch.stages);
    });
    return this.require(id);
  }

  async get(id: string): Promise<RecoveryPlanWithStages | undefined> {
    const plan = await this.deps.db.selectFrom('recovery_plans').selectAll().where('id', '=', id).executeTakeFirst();
    if (plan === undefined) return undefined;
    return { ...plan, stages: await this.stagesOf(id) };
  }

  async findByName(name: string): Promise<RecoveryPlanRecord | undefined> {
    return this.deps.db.selectFrom('recovery_plans').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async require(id: string): Promise<RecoveryPlanWithStages> {
    const plan = await this.get(id);
    if (plan === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Recovery plan ${id} not found`, details: { id } });
    return plan;
  }

  async list(): Promise<RecoveryPlanWithStages[]> {
    const plans = await this.deps.db.selectFrom('recovery_plans').selectAll().orderBy('name').execute();
    const result: RecoveryPlanWithStages[] = [];
    for (const plan of plans) result.push({ ...plan, stages: await this.stagesOf(plan.id) });
    return result;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.deps.db.deleteFrom('recovery_plans').where('id', '=', id).executeTakeFirst();
    return affected(result) === 1;
  }

  async createRun(input: NewRecoveryPlanRun): Promise<RecoveryPlanRunRecord> {
    const now = this.deps.clock.now();
    const id = input.id ?? newId('planrun');
    await this.deps.db
      .insertInto('recovery_plan_runs')
      .values({
        ...input,
        id,
        status: 'running',
        error_message: null,
        undo_jobs: null,
        created_at: now,
        updated_at: now,
        completed_at: null,
      })
      .execute();
    return this.requireRun(id);
  }

  async getRun(id: string): Promise<RecoveryPlanRunRecord | undefined> {
    const row = await this.deps.db.selectFrom('recovery_plan_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRun(row);
  }

  async getRunByJob(jobId: string): Promise<RecoveryPlanRunRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('recovery_plan_runs')
      .selectAll()
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return row === undefined ? undefined : toRun(row);
  }

  async requireRun(id: string): Promise<RecoveryPlanRunRecord> {
    const run = await this.getRun(id);
    if (run === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `Recovery plan run ${id} not found`,
        field: 'params.run_id',
        details: { id },
      });
    return run;
  }

  /** Runs of a plan, newest first. */
  async listRuns(planId: string, limit = 50): Promise<RecoveryPlanRunRecord[]> {
    const rows = await this.deps.db
      .selectFrom('recovery_plan_runs')
      .selectAll()
      .where('plan_id', '=', planId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRun);
  }

  /** Runs in the given statuses (the service settles running and undoing ones). */
  async listRunsByStatus(statuses: readonly RecoveryPlanRunStatus[]): Promise<RecoveryPlanRunRecord[]> {
    if (statuses.length === 0) return [];
    const rows = await this.deps.db
      .selectFrom('recovery_plan_runs')
      .selectAll()
      .where('status', 'in', [...statuses])
      .orderBy('created_at')
      .execute();
    return rows.map(toRun);
  }

  /**
   * Moves a run along the catalogue's transitions (conditional on its current status, so two writers cannot
   * skip a state); false when the run was not in a status that may go there.
   */
  async transitionRun(id: string, change: RunTransition): Promise<boolean> {
    const now = this.deps.clock.now();
    // completed_at is when the plan itself ended; undo has its own jobs and times.
    const ended = change.to === 'completed' || change.to === 'failed' || change.to === 'cancelled';
    const result = await this.deps.db
      .updateTable('recovery_plan_runs')
      .set({
        status: change.to,
        updated_at: now,
        ...(change.error_message === undefined ? {} : { error_message: change.error_message }),
        ...(change.undo_jobs === undefined ? {} : { undo_jobs: toJson(change.undo_jobs) }),
        ...(ended ? { completed_at: now } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', recoveryPlanRunStatuses.allowedSources(change.to))
      .executeTakeFirst();
    return affected(result) === 1;
  }

  private async stagesOf(planId: string): Promise<RecoveryPlanStage[]> {
    const stages = await this.deps.db
      .selectFrom('recovery_plan_stages')
      .selectAll()
      .where('plan_id', '=', planId)
      .orderBy('position')
      .execute();
    if (stages.length === 0) return [];
    const members = await this.deps.db
      .selectFrom('recovery_plan_members')
      .selectAll()
      .where(
        'stage_id',
        'in',
        stages.map((s) => s.id),
      )
      .orderBy('position')
      .execute();
    return stages.map((stage) => ({
      id: stage.id,
      position: stage.position,
      name: stage.name,
      wait_condition: stage.wait_condition,
      wait_seconds: stage.wait_seconds,
      members: members
        .filter((m) => m.stage_id === stage.id)
        .map((m) => ({ position: m.position, group_id: m.group_id, vm_context_id: m.vm_context_id })),
    }));
  }

  /** One transaction; a duplicate name is MKE_DUPLICATE naming the field. */
  private async write(name: string, work: (db: Kysely<DatabaseSchema>) => Promise<void>): Promise<void> {
    try {
      await this.deps.db.transaction().execute(work);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new MigrateKitError('MKE_DUPLICATE', {
          message: `A recovery plan named ${name} already exists`,
          field: 'body.name',
          cause: error,
        });
      throw error;
    }
  }
}

async function insertStages(
  db: Kysely<DatabaseSchema>,
  planId: string,
  stages: readonly RecoveryPlanStageInput[],
): Promise<void> {
  for (const [position, stage] of stages.entries()) {
    const stageId = newId('stage');
    await db
      .insertInto('recovery_plan_stages')
      .values({
        id: stageId,
        plan_id: planId,
        position,
        name: stage.name,
        wait_condition: stage.wait_condition,
        wait_seconds: stage.wait_seconds,
      })
      .execute();
    if (stage.members.length === 0) continue;
    await db
      .insertInto('recovery_plan_members')
      .values(
        stage.members.map((member, index) => ({
          id: newId('member'),
          stage_id: stageId,
          position: index,
          group_id: member.group_id ?? null,
          vm_context_id: member.vm_context_id ?? null,
        })),
      )
      .execute();
  }
}
