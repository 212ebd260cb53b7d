// A workflow is data: a name, a takeover policy and ordered named steps, each { run, compensate, inspect }.
// defineWorkflow<Input>() builds one step by step so that each step's context is typed with the input and the
// outputs of the steps before it. How to write one: docs/workflows.md.
import type { LogLevel, TakeoverPolicy } from '@migratekit/db';

export interface StepContext<Input, Outputs> {
  readonly jobId: string;
  readonly input: Input;
  /** The outputs of the earlier steps, by step name, as stored in the database (JSON). */
  readonly outputs: Outputs;
  /** Aborted when the server shuts down with abort, or loses the job's lease: stop and throw. */
  readonly signal: AbortSignal;
  /** A log event of the job, tagged with this step (a function property, so steps may destructure it). */
  log: (level: LogLevel, message: string, fields?: Record<string, unknown>) => Promise<void>;
}

/** What `inspect` found in the real systems: the step's effect exists (with the output it would have returned). */
export type InspectResult<Output> = { happened: true; output: Output } | { happened: false };

export interface StepDefinition<Input, Outputs, Output> {
  /** Does the work; its output must survive JSON (ids, names, numbers): it is stored and read back. */
  run(context: StepContext<Input, Outputs>): Promise<Output>;
  /**
   * Reads the real state (CloudStack, vCenter) and says whether the step already happened. Asked before a step
   * that was started but never recorded as done is acted on again (after a crash, a takeover or a pause).
   */
  inspect(context: StepContext<Input, Outputs>): Promise<InspectResult<NoInfer<Output>>>;
  /**
   * Undoes the step. Registered only once the step succeeded; may run again after a crash, so it must accept
   * that its work is partly or fully done already (delete what still exists).
   */
  compensate?(context: StepContext<Input, Outputs>, output: NoInfer<Output>): Promise<void>;
}

/** A step as the runner sees it: types erased, the name attached. */
export interface WorkflowStep extends StepDefinition<unknown, Readonly<Record<string, unknown>>, unknown> {
  readonly name: string;
}

export interface WorkflowOptions {
  /** job_tracking.job_type of the jobs: 'failover', 'rollback', 'cleanup'... */
  jobType: string;
  /** What a server does with a job it takes over from a server that stopped (docs/workflows.md). */
  takeover: TakeoverPolicy;
}

export interface WorkflowDefinition<Input = unknown, Outputs = Readonly<Record<string, unknown>>> {
  readonly name: string;
  readonly jobType: string;
  readonly takeover: TakeoverPolicy;
  readonly steps: readonly WorkflowStep[];
  /** Type-only: carries Input and Outputs to start() and tests; never set. */
  readonly types?: { input: Input; outputs: Outputs };
}

/** The name a compensation gets as a step of the job. */
export function compensationStepName(stepName: string): string {
  return `compensate: ${stepName}`;
}

const STEP_NAME = /^[^:]+$/;

/** The outputs before the first step: none. */
type NoOutputs = Readonly<Record<never, never>>;

export class WorkflowBuilder<Input, Outputs extends Readonly<Record<string, unknown>>> {
  constructor(
    private readonly name: string,
    private readonly options: WorkflowOptions,
    private readonly steps: readonly WorkflowStep[],
  ) {}

  /** Adds a step; later steps see its output under `outputs[name]`. Names are unique (checked here). */
  step<Name extends string, Output>(
    name: Name,
    definition: StepDefinition<Input, Outputs, Output>,
  ): WorkflowBuilder<Input, Outputs & { readonly [K in Name]: Output }> {
    if (!STEP_NAME.test(name)) throw new Error(`workflow ${this.name}: step name "${name}" must be non-empty, no ':'`);
    if (this.steps.some((s) => s.name === name)) throw new Error(`workflow ${this.name}: duplicate step "${name}"`);
    const step = { ...definition, name } as unknown as WorkflowStep;
    return new WorkflowBuilder(this.name, this.options, [...this.steps, step]);
  }

  build(): WorkflowDefinition<Input, Outputs> {
    if (this.steps.length === 0) throw new Error(`workflow ${this.name} has no steps`);
    return { name: this.name, jobType: this.options.jobType, takeover: this.options.takeover, steps: this.steps };
  }
}

/** Starts a workflow definition: `defineWorkflow<Input>('test-failover', {...}).step(...).step(...).build()`. */
export function defineWorkflow<Input>(name: string, options: WorkflowOptions): WorkflowBuilder<Input, NoOutputs> {
  if (name.length === 0 || name.includes(':')) throw new Error(`workflow name "${name}" must be non-empty, no ':'`);
  return new WorkflowBuilder<Input, NoOutputs>(name, options, []);
}
