// Events the server publishes on its live stream (GET /api/v1/events, Server-Sent Events), shared by the server
// that sends them and the dashboard that reads them. Plain types, no I/O. The job, step and log payloads are
// parameters: the server fills them with its records (dates as Date), the dashboard with the API's wire
// shapes (dates as ISO-8601 strings, which is how the records serialize).
import type { ContextStatus } from '../statuses/context-status';

export interface EventPayloads {
  job: unknown;
  step: unknown;
  log: unknown;
  /** Date on the server, string on the wire. */
  date: unknown;
}

export interface JobUpdatedEvent<P extends EventPayloads = EventPayloads> {
  type: 'job.updated';
  /** The job as stored after the change (status, progress, counters, error). */
  job: P['job'];
}

export interface JobStepEvent<P extends EventPayloads = EventPayloads> {
  type: 'job.step';
  job_id: string;
  step: P['step'];
}

export interface JobLogEvent<P extends EventPayloads = EventPayloads> {
  type: 'job.log';
  job_id: string;
  log: P['log'];
}

export interface ContextUpdatedEvent<P extends EventPayloads = EventPayloads> {
  type: 'context.updated';
  context_id: string;
  current_status: ContextStatus;
  previous_status?: ContextStatus;
  /** What else changed, for a client that wants to patch its cache without a refetch. */
  changes?: Record<string, unknown>;
  at: P['date'];
}

/** Byte-level progress of a replication job (the agent's report), published by the replication service. */
export interface ReplicationProgressEvent {
  type: 'replication.progress';
  job_id: string;
  context_id: string;
  phase: string;
  bytes_done: number;
  bytes_total: number;
  progress_percent: number;
  current_bps: number;
  avg_bps: number;
  peak_bps: number;
  eta_seconds: number | null;
  disks: Array<{ disk_id: string; bytes_done: number; bytes_total: number; sync_type: string; done: boolean }>;
}

/** A VM's RPO state changed (docs/scheduler.md#rpo): published when it enters or leaves `breached`. */
export interface RpoAlertEvent<P extends EventPayloads = EventPayloads> {
  type: 'rpo.alert';
  context_id: string;
  vm_name: string;
  /** 'rpo_breached' while the last good sync is older than the target; null once it is back within it. */
  alert: 'rpo_breached' | null;
  state: string;
  age_seconds: number | null;
  target_seconds: number | null;
  reason: string | null;
  at: P['date'];
}

/** A schedule execution (one tick or manual run) was recorded or ended. */
export interface ScheduleExecutionEvent {
  type: 'schedule.execution';
  execution_id: string;
  schedule_id: string | null;
  status: string;
  jobs_created: number;
  jobs_skipped: number;
}

export type ServerEventOf<P extends EventPayloads> =
  | JobUpdatedEvent<P>
  | JobStepEvent<P>
  | JobLogEvent<P>
  | ContextUpdatedEvent<P>
  | ReplicationProgressEvent
  | RpoAlertEvent<P>
  | ScheduleExecutionEvent;
export type ServerEventType = ServerEventOf<EventPayloads>['type'];

/** Every event name; the SSE `event:` field carries it, so an EventSource listens for each by name. */
export const SERVER_EVENT_TYPES = [
  'job.updated',
  'job.step',
  'job.log',
  'context.updated',
  'replication.progress',
  'rpo.alert',
  'schedule.execution',
] as const satisfies readonly ServerEventType[];

// Compile-time: SERVER_EVENT_TYPES names every event type.
const everyEventTypeListed: ServerEventType extends (typeof SERVER_EVENT_TYPES)[number] ? true : false = true;
void everyEventTypeListed;
