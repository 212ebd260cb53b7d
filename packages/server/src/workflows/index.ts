// The durable workflow runner: the home of failover, rollback, cleanup and recovery plans (docs/workflows.md).
import { WorkflowRunner } from './workflow-runner';
import type { WorkflowRunnerDeps } from './workflow-runner.types';

export { WorkflowRunner } from './workflow-runner';
export * from './workflow-runner.types';
export * from './workflow-definition';
export { ExecutionStopped } from './workflow-execution';
export {
  CRASH_AT_VARIABLE,
  CRASH_PHASES,
  RunnerHalted,
  crashHookFromEnv,
  parseCrashAt,
  type CrashHook,
  type CrashPhase,
  type CrashPoint,
} from './crash-points';

/**
 * Builds the runner. The composition root calls `recover()` once the database is migrated (and after
 * JobLog.markInterruptedJobs, which leaves workflow jobs alone), and `close()` on shutdown.
 */
export function createWorkflowRunner(deps: WorkflowRunnerDeps): WorkflowRunner {
  return new WorkflowRunner(deps);
}
