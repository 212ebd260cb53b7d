// One workflow job driven by one server: runs the steps in order, records each before and after, asks `inspect`
// about a step that was started but never recorded as done, and on failure runs the compensations in reverse
// order, each its own step of the job. The saga rules are in docs/workflows.md.
import { errorMessage, isMigrateKitError, type WorkflowStatus } from '@migratekit/core';
import type {
  LogLevel,
  WorkflowJobRecord,
  WorkflowJobRepository,
  WorkflowStepRecord,
  WorkflowStepRepository,
} from '@migratekit/db';
import type { JobLog } from '../joblog';
import { RunnerHalted, type CrashPhase, type CrashPoint } from './crash-points';
import { compensationStepName, type InspectResult, type StepContext, type WorkflowStep } from './workflow-definition';
import type { AnyWorkflow, WorkflowLogger } from './workflow-runner.types';

/** What an execution needs from its runner; writes go through guarded objects that stop once the runner halts. */
export interface ExecutionEnv {
  repo: WorkflowJobRepository;
  steps: WorkflowStepRepository;
  joblog: Pick<JobLog, 'log' | 'announce'>;
  logger: WorkflowLogger;
  serverId: string;
  /** Throws RunnerHalted when the crash hook asks to crash here. */
  crashPoint(point: CrashPoint): void;
  /** Keeps the work a simulated crash left in flight, so tests can wait for it to settle. */
  abandon(work: Promise<unknown>, step: string): void;
  /** True once close() asked the runner to stop: leave the job before its next step. */
  stopping(): boolean;
}

/** What a pause asks the operator; a paused job's reason ends with one of them. */
const PAUSE_QUESTIONS = {
  takeover: 'Resume to continue or compensate to undo.',
  inspect: 'Resume or compensate once the state is known.',
} as const;

/** Why a job was paused, without the question it asked: kept once the operator answered it by undoing the job. */
export function pausedBecause(reason: string | null): string {
  if (reason === null) return 'it was paused';
  const cause = Object.values(PAUSE_QUESTIONS).reduce((text, question) => text.replace(question, ''), reason);
  return `it was paused: ${cause.trim()}`;
}

/** The execution stopped without recording anything: shutdown or a lost lease. The next owner inspects. */
export class ExecutionStopped extends Error {
  constructor(readonly reason: string) {
    super(`workflow execution stopped: ${reason}`);
    this.name = 'ExecutionStopped';
  }
}

type Failure = { code: string; message: string };
type Outputs = Record<string, unknown>;

const failureOf = (error: unknown): Failure => ({
  code: isMigrateKitError(error) ? error.code : 'MKE_INTERNAL',
  message: errorMessage(error),
});

/** Outputs are stored as JSON; a fresh run and a resumed run must see the same values. */
const stored = (output: unknown): unknown =>
  output === undefined ? null : (JSON.parse(JSON.stringify(output)) as unknown);

export class WorkflowExecution {
  private outputs: Outputs = {};

  constructor(
    private readonly env: ExecutionEnv,
    private readonly workflow: AnyWorkflow,
    private readonly job: WorkflowJobRecord,
    private readonly signal: AbortSignal,
  ) {}

  private get jobId(): string {
    return this.job.id;
  }

  /** Runs the steps from the first one not recorded as done. `inspected` names steps already asked. */
  async runForward(inspected: ReadonlySet<string> = new Set()): Promise<void> {
    const rows = await this.loadSteps();
    for (const step of this.workflow.steps) {
      const row = findRow(rows, 'run', step.name);
      if (row?.status === 'completed') continue;
      this.checkStop();
      if (row !== undefined && !inspected.has(step.name)) {
        // Started before but never recorded as done: ask the real systems before acting again.
        const found = await this.inspect(step);
        if (found === undefined) return;
        if (found.happened) {
          await this.recordInspected(row, step, found.output);
          continue;
        }
      }
      if (!(await this.runStep(step))) return;
    }
    await this.finish('completed');
  }

  /** A job this server just claimed from a server that stopped: inspect the current step, then apply the policy. */
  async takeOver(previousOwner: string | null): Promise<void> {
    const from = previousOwner ?? 'unknown';
    if (this.job.status === 'compensating') {
      await this.log('info', `Taken over from server ${from}: continuing the compensation`);
      return this.compensateAll();
    }
    const rows = await this.loadSteps();
    const current = this.workflow.steps.find((step) => findRow(rows, 'run', step.name)?.status !== 'completed');
    if (current === undefined) return this.finish('completed');
    const row = findRow(rows, 'run', current.name);
    let found = 'it had not started';
    if (row !== undefined) {
      const inspection = await this.inspect(current);
      if (inspection === undefined) return;
      if (inspection.happened) {
        await this.recordInspected(row, current, inspection.output);
        found = 'inspect found it had happened';
      } else {
        await this.failStep(row, {
          code: 'MKE_JOB_INTERRUPTED',
          message: 'Interrupted; inspect found it had not happened',
        });
        found = 'inspect found it had not happened';
      }
    }
    const what = `Server ${from} stopped at step "${current.name}" (${found})`;
    await this.log('info', `Taken over: ${what}; takeover policy ${this.job.takeover_policy}`, {
      previous_owner: previousOwner,
      step: current.name,
    });
    const remaining = await this.loadSteps();
    if (this.workflow.steps.every((step) => findRow(remaining, 'run', step.name)?.status === 'completed')) {
      return this.finish('completed');
    }
    switch (this.job.takeover_policy) {
      case 'resume':
        return this.runForward(new Set([current.name]));
      case 'compensate':
        return this.failAndCompensate({ code: 'MKE_JOB_INTERRUPTED', message: `${what}; compensating by policy` });
      case 'pause':
        return this.pause(`${what}. ${PAUSE_QUESTIONS.takeover}`);
    }
  }

  /** Runs the compensations of every step that succeeded, last first; a failure stops at cleanup_required. */
  async compensateAll(): Promise<void> {
    const rows = await this.loadSteps();
    const toUndo = this.compensable(rows).reverse();
    for (const step of toUndo) {
      const name = compensationStepName(step.name);
      if (findRow(rows, 'compensate', step.name)?.status === 'completed') continue;
      this.checkStop();
      this.crash(name, 'compensate', 'before');
      const row = await this.startStep('compensate', step.name, name);
      const compensate = step.compensate?.bind(step);
      try {
        if (compensate !== undefined)
          await this.inFlight(name, 'compensate', compensate(this.context(name), this.outputs[step.name]));
      } catch (error) {
        this.rethrowIfStopped(error);
        const failure = failureOf(error);
        await this.failStep(row, failure);
        const job = await this.env.repo.getJob(this.jobId);
        const undoing = job?.error_message ? `; it was undoing: ${job.error_message}` : '';
        await this.finish('cleanup_required', {
          code: failure.code,
          message: `${name} failed: ${failure.message}${undoing}`,
        });
        return;
      }
      this.crash(name, 'compensate', 'after');
      await this.completeStep(row, null);
    }
    await this.finish('compensated');
  }

  private async runStep(step: WorkflowStep): Promise<boolean> {
    this.crash(step.name, 'run', 'before');
    const row = await this.startStep('run', step.name, step.name);
    let output: unknown;
    try {
      output = stored(await this.inFlight(step.name, 'run', step.run(this.context(step.name))));
    } catch (error) {
      this.rethrowIfStopped(error);
      const failure = failureOf(error);
      await this.failStep(row, failure);
      await this.failAndCompensate({ code: failure.code, message: `Step "${step.name}" failed: ${failure.message}` });
      return false;
    }
    this.crash(step.name, 'run', 'after');
    await this.completeStep(row, output);
    this.outputs[step.name] = output;
    return true;
  }

  /** Awaits a step's work; a crash at `during` leaves it in flight as a dead process would. */
  private async inFlight<T>(name: string, kind: 'run' | 'compensate', work: Promise<T>): Promise<T> {
    try {
      this.crash(name, kind, 'during');
    } catch (halt) {
      this.env.abandon(work, name);
      throw halt;
    }
    return work;
  }

  private crash(step: string, kind: 'run' | 'compensate', phase: CrashPhase): void {
    this.env.crashPoint({ workflow: this.workflow.name, jobId: this.jobId, step, kind, phase });
  }

  private async failAndCompensate(failure: Failure): Promise<void> {
    if (this.compensable(await this.loadSteps()).length === 0) return this.finish('failed', failure);
    if (!(await this.transition('compensating', failure))) return;
    await this.log('warn', `${failure.message}; compensating`);
    await this.compensateAll();
  }

  private async inspect(step: WorkflowStep): Promise<InspectResult<unknown> | undefined> {
    try {
      return await step.inspect(this.context(step.name));
    } catch (error) {
      this.rethrowIfStopped(error);
      await this.pause(`Inspect of step "${step.name}" failed: ${errorMessage(error)}. ${PAUSE_QUESTIONS.inspect}`);
      return undefined;
    }
  }

  private async recordInspected(row: WorkflowStepRecord, step: WorkflowStep, output: unknown): Promise<void> {
    const value = stored(output);
    await this.completeStep(row, value);
    this.outputs[step.name] = value;
    await this.log(
      'info',
      `Step "${step.name}" had already happened (inspect); recorded its output`,
      undefined,
      step.name,
    );
  }

  private async pause(reason: string): Promise<void> {
    if (await this.transition('paused', undefined, reason)) await this.log('warn', `Paused: ${reason}`);
  }

  private async finish(to: WorkflowStatus, failure?: Failure): Promise<void> {
    if (await this.transition(to, failure)) {
      await this.log(
        to === 'completed' || to === 'compensated' ? 'info' : 'error',
        `Workflow ${to}`,
        failure && { ...failure },
      );
    }
  }

  private async transition(to: WorkflowStatus, failure?: Failure, pauseReason?: string): Promise<boolean> {
    const changed = await this.env.repo.transition(this.jobId, {
      owner: this.env.serverId,
      to,
      ...(failure !== undefined ? { error: failure } : {}),
      ...(pauseReason !== undefined ? { pauseReason } : {}),
    });
    if (!changed) {
      this.env.logger.warn(
        { job_id: this.jobId, to },
        'workflow job changed hands or state; this server stops driving it',
      );
      return false;
    }
    await this.env.joblog.announce(this.jobId);
    return true;
  }

  private async startStep(kind: 'run' | 'compensate', key: string, name: string): Promise<WorkflowStepRecord> {
    const row = await this.env.steps.startStep(this.jobId, kind, key, name);
    await this.announceStep(row);
    return row;
  }

  private async completeStep(row: WorkflowStepRecord, output: unknown): Promise<void> {
    const done = await this.env.steps.completeStep(row.id, output);
    if (done.step_kind === 'run') await this.env.steps.recordProgress(this.jobId);
    await this.announceStep(done);
  }

  private async failStep(row: WorkflowStepRecord, failure: Failure): Promise<void> {
    await this.announceStep(await this.env.steps.failStep(row.id, failure));
    await this.log('error', `Step ${row.name} failed`, { error: failure.message, code: failure.code }, row.name);
  }

  private async announceStep(row: WorkflowStepRecord): Promise<void> {
    await this.env.joblog.announce(this.jobId, {
      ...row,
      output: row.output === null ? null : JSON.stringify(row.output),
    });
  }

  private async loadSteps(): Promise<WorkflowStepRecord[]> {
    const rows = await this.env.steps.listSteps(this.jobId);
    this.outputs = {};
    for (const row of rows)
      if (row.step_kind === 'run' && row.status === 'completed') this.outputs[row.step_key] = row.output;
    return rows;
  }

  /** Steps whose compensation is registered: they succeeded and have one. */
  private compensable(rows: readonly WorkflowStepRecord[]): WorkflowStep[] {
    return this.workflow.steps.filter(
      (step) => step.compensate !== undefined && findRow(rows, 'run', step.name)?.status === 'completed',
    );
  }

  private context(stepName: string): StepContext<unknown, Readonly<Outputs>> {
    return {
      jobId: this.jobId,
      input: this.job.workflow_input,
      outputs: Object.freeze({ ...this.outputs }),
      signal: this.signal,
      log: async (level, message, fields) => {
        await this.log(level, message, fields, stepName);
      },
    };
  }

  private async log(level: LogLevel, message: string, fields?: Record<string, unknown>, step?: string): Promise<void> {
    await this.env.joblog.log(this.jobId, level, message, fields, step);
  }

  /** Between steps: leave the job if the server is closing or lost the lease. */
  private checkStop(): void {
    if (this.signal.aborted) throw new ExecutionStopped(errorMessage(this.signal.reason));
    if (this.env.stopping()) throw new ExecutionStopped('the server is shutting down');
  }

  private rethrowIfStopped(error: unknown): void {
    if (error instanceof RunnerHalted || error instanceof ExecutionStopped) throw error;
    if (this.signal.aborted) throw new ExecutionStopped(errorMessage(this.signal.reason));
  }
}

function findRow(
  rows: readonly WorkflowStepRecord[],
  kind: 'run' | 'compensate',
  key: string,
): WorkflowStepRecord | undefined {
  return rows.find((row) => row.step_kind === kind && row.step_key === key);
}
