// schedule_executions: one run of a replication schedule.
import { defineStatusSet } from './status-set';

export const scheduleExecutionStatuses = defineStatusSet(
  'schedule execution',
  {
    running: { kind: 'active', next: ['completed', 'failed'] },
    completed: { kind: 'succeeded', next: [] },
    failed: { kind: 'failed', next: [] },
    // The run was due but did not start (the previous one still ran, or the schedule was paused).
    skipped: { kind: 'attention', next: [] },
  },
  { initial: ['running', 'skipped'] },
);
export type ScheduleExecutionStatus = (typeof scheduleExecutionStatuses.values)[number];
