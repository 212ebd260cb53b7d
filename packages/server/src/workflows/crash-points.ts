// Injectable crash points, so tests can stop the server at every step boundary (docs/workflows.md):
// MIGRATEKIT_CRASH_AT=<workflow>:<step>:<before|during|after> kills the process with SIGKILL there; tests pass a
// CrashHook in the runner deps instead and the runner halts as if its process had died.
import type { WorkflowStepKind } from '@migratekit/db';

/**
 * before: nothing of the step is recorded yet; during: the step is recorded as running and its work is in
 * flight; after: the work returned but its output is not recorded yet.
 */
export const CRASH_PHASES = ['before', 'during', 'after'] as const;
export type CrashPhase = (typeof CRASH_PHASES)[number];

export interface CrashPoint {
  workflow: string;
  jobId: string;
  /** The step's name in the job: the workflow step's name, or `compensate: <name>` for its compensation. */
  step: string;
  kind: WorkflowStepKind;
  phase: CrashPhase;
}

/** Returns true to crash at this point: the runner then stops writing anything, as if its process died. */
export type CrashHook = (point: CrashPoint) => boolean;

export const CRASH_AT_VARIABLE = 'MIGRATEKIT_CRASH_AT';

export interface CrashTarget {
  workflow: string;
  step: string;
  phase: CrashPhase;
}

/** Parses `<workflow>:<step>:<phase>`; a step name may itself contain ':' (`compensate: create volume`). */
export function parseCrashAt(value: string): CrashTarget {
  const first = value.indexOf(':');
  const last = value.lastIndexOf(':');
  const phase = value.slice(last + 1);
  if (first <= 0 || last <= first + 1 || !(CRASH_PHASES as readonly string[]).includes(phase)) {
    throw new Error(`${CRASH_AT_VARIABLE} must be <workflow>:<step>:<before|during|after>, got "${value}"`);
  }
  return { workflow: value.slice(0, first), step: value.slice(first + 1, last), phase: phase as CrashPhase };
}

/** The hook MIGRATEKIT_CRASH_AT asks for, or undefined when it is not set. Kills this process with SIGKILL. */
export function crashHookFromEnv(env: NodeJS.ProcessEnv = process.env): CrashHook | undefined {
  const value = env[CRASH_AT_VARIABLE];
  if (value === undefined || value === '') return undefined;
  const target = parseCrashAt(value);
  return (point) => {
    if (point.workflow !== target.workflow || point.step !== target.step || point.phase !== target.phase) return false;
    process.kill(process.pid, 'SIGKILL');
    return true;
  };
}

/** Thrown inside a halted runner so its work unwinds without writing; never recorded in a job. */
export class RunnerHalted extends Error {
  constructor() {
    super('the workflow runner was halted (simulated crash)');
    this.name = 'RunnerHalted';
  }
}
