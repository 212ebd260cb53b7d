// Workflow steps (docs/workflows.md): job_steps rows with a step key, a kind (run | compensate) and a durable
// output. One row per (job, kind, step): a retried step reuses its row, so a step is idempotent by (job, step).
import type { Row } from '../schema';
import { insertNextStep, type JobStepRecord } from './job-log.repository';
import { fromJson, isUniqueViolation, toJson, type RepositoryDeps } from './repository-deps';

export type WorkflowStepKind = 'run' | 'compensate';

export type WorkflowStepRecord = Omit<JobStepRecord, 'output' | 'step_key' | 'step_kind'> & {
  step_key: string;
  step_kind: WorkflowStepKind;
  output: unknown;
};

const toWorkflowStep = (row: Row<'job_steps'>): WorkflowStepRecord => ({
  ...(row as unknown as Omit<WorkflowStepRecord, 'output'>),
  output: fromJson<unknown>(row.output),
});

export class WorkflowStepRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** The step row of (job, kind, key), if the step was ever started. */
  async getStep(jobId: string, kind: WorkflowStepKind, key: string): Promise<WorkflowStepRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('job_steps')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('step_kind', '=', kind)
      .where('step_key', '=', key)
      .executeTakeFirst();
    return row && toWorkflowStep(row);
  }

  async listSteps(jobId: string): Promise<WorkflowStepRecord[]> {
    const rows = await this.deps.db
      .selectFrom('job_steps')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('step_kind', 'is not', null)
      .orderBy('step_order')
      .execute();
    return rows.map(toWorkflowStep);
  }

  /**
   * Marks (job, kind, key) running: the existing row again (a retry after a takeover keeps one row per step), or a
   * new row with the next order number of the job.
   */
  async startStep(jobId: string, kind: WorkflowStepKind, key: string, name: string): Promise<WorkflowStepRecord> {
    for (let attempt = 0; ; attempt++) {
      const existing = await this.getStep(jobId, kind, key);
      if (existing !== undefined) {
        await this.deps.db
          .updateTable('job_steps')
          .set({
            status: 'running',
            started_at: this.deps.clock.now(),
            completed_at: null,
            error_code: null,
            error_message: null,
          })
          .where('id', '=', existing.id)
          .execute();
        return this.requireStep(existing.id);
      }
      let id: string;
      try {
        id = await insertNextStep(this.deps, jobId, name, { step_key: key, step_kind: kind });
      } catch (error) {
        // Another writer took the order number (or, after a takeover race, the step itself): look again.
        if (isUniqueViolation(error) && attempt < 10) continue;
        throw error;
      }
      return this.requireStep(id);
    }
  }

  /** Ends a step with its output (stored as JSON; undefined stores null). */
  async completeStep(stepId: string, output: unknown): Promise<WorkflowStepRecord> {
    await this.deps.db
      .updateTable('job_steps')
      .set({ status: 'completed', completed_at: this.deps.clock.now(), output: toJson(output) })
      .where('id', '=', stepId)
      .execute();
    return this.requireStep(stepId);
  }

  async failStep(stepId: string, error: { code: string; message: string }): Promise<WorkflowStepRecord> {
    await this.deps.db
      .updateTable('job_steps')
      .set({
        status: 'failed',
        completed_at: this.deps.clock.now(),
        error_code: error.code,
        error_message: error.message,
      })
      .where('id', '=', stepId)
      .execute();
    return this.requireStep(stepId);
  }

  /** Progress of a workflow job: completed run steps / total steps. */
  async recordProgress(jobId: string): Promise<void> {
    const count = await this.deps.db
      .selectFrom('job_steps')
      .select((eb) => eb.fn.countAll<number>().as('done'))
      .where('job_id', '=', jobId)
      .where('step_kind', '=', 'run')
      .where('status', '=', 'completed')
      .executeTakeFirstOrThrow();
    const job = await this.deps.db
      .selectFrom('job_tracking')
      .select('total_steps')
      .where('id', '=', jobId)
      .executeTakeFirst();
    if (job === undefined) return;
    const done = Number(count.done);
    const total = job.total_steps ?? 0;
    await this.deps.db
      .updateTable('job_tracking')
      .set({
        completed_steps: done,
        progress_percent: total > 0 ? Math.min(100, Math.round((done * 1000) / total) / 10) : 0,
        updated_at: this.deps.clock.now(),
      })
      .where('id', '=', jobId)
      .execute();
  }

  private async requireStep(id: string): Promise<WorkflowStepRecord> {
    return toWorkflowStep(
      await this.deps.db.selectFrom('job_steps').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    );
  }
}
