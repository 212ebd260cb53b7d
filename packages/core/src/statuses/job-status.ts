// Jobs of the JobLog (job_tracking) and their steps (job_steps). A job ends once: the first final status wins,
// which the repository enforces with a conditional update from allowedSources(final status).
import { defineStatusSet } from './status-set';

export const jobStatuses = defineStatusSet(
  'job',
  {
    pending: {
      kind: 'waiting',
      next: ['running', 'completed', 'failed', 'cancelled', 'interrupted', 'compensating', 'paused'],
    },
    running: { kind: 'active', next: ['completed', 'failed', 'cancelled', 'interrupted', 'compensating', 'paused'] },
    completed: { kind: 'succeeded', next: [] },
    failed: { kind: 'failed', next: [] },
    cancelled: { kind: 'attention', next: [] },
    // The server stopped while the job ran; recovery marks it so and starts a new job if needed.
    interrupted: { kind: 'attention', next: [] },
    // The rest belong to workflow jobs: their life cycle is the workflow set (workflow-status.ts).
    compensating: { kind: 'active', next: ['compensated', 'cleanup_required', 'paused'] },
    paused: { kind: 'attention', next: ['running', 'compensating', 'cancelled'] },
    compensated: { kind: 'attention', next: [] },
    cleanup_required: { kind: 'attention', next: ['compensating'] },
    // A job whose work starts at once is created running.
  },
  { initial: ['pending', 'running'] },
);
export type JobStatus = (typeof jobStatuses.values)[number];
/**
 * A job in one of these is under way in some process: a restart marks such plain jobs interrupted. Workflow jobs
 * that wait for the operator (paused, cleanup_required) or compensate belong to the workflow runner's takeover.
 */
export const UNFINISHED_JOB_STATUSES: readonly JobStatus[] = ['pending', 'running'];

export const jobStepStatuses = defineStatusSet('job step', {
  running: { kind: 'active', next: ['completed', 'failed'] },
  completed: { kind: 'succeeded', next: [] },
  failed: { kind: 'failed', next: [] },
});
export type JobStepStatus = (typeof jobStepStatuses.values)[number];
