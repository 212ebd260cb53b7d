// The workflow runner's deps object and options. Built once by the server's composition root (see
// createWorkflowRunner in ./index.ts); tests pass a ManualClock and a CrashHook.
import type { Clock } from '@migratekit/core';
import type { Repositories } from '@migratekit/db';
import type { JobLog } from '../joblog';
import type { CrashHook } from './crash-points';
import type { WorkflowDefinition } from './workflow-definition';

/** Any workflow definition, whatever its input and outputs. */
export type AnyWorkflow = WorkflowDefinition<unknown, unknown>;

/** pino-compatible subset. */
export interface WorkflowLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface LeaseSettings {
  /** How long a job stays owned without a heartbeat before another server may take it over. */
  leaseMs: number;
  /** How often the runner renews its leases and looks for jobs whose lease expired; well below leaseMs. */
  heartbeatMs: number;
}

export const DEFAULT_LEASE: LeaseSettings = { leaseMs: 30_000, heartbeatMs: 10_000 };

export interface WorkflowRunnerDeps {
  repositories: Pick<Repositories, 'workflowJobs' | 'workflowSteps'>;
  joblog: JobLog;
  clock: Clock;
  logger: WorkflowLogger;
  /** This server's identity in leases; stable across restarts, unique among the servers sharing a database. */
  serverId: string;
  /** Every workflow this server can run or take over. */
  workflows: readonly AnyWorkflow[];
  lease?: Partial<LeaseSettings>;
  /** Test hook (or MIGRATEKIT_CRASH_AT through crashHookFromEnv): crash at a step boundary. */
  crashHook?: CrashHook;
}

export interface StartWorkflowOptions {
  /** Known to the caller at request time; the job id when not given. */
  externalJobId?: string;
  contextId?: string | null;
  parentJobId?: string | null;
  /** A human description; the workflow's name when not given. */
  operation?: string;
}

export interface StartedWorkflow {
  jobId: string;
  externalJobId: string;
}

export interface CloseOptions {
  /** Abort the running steps (their signal) instead of letting them finish. */
  abortSteps?: boolean;
}
