// Events the server publishes for the live stream (GET /api/v1/events, Server-Sent Events). The JobLog emits
// the job events; services emit context.updated when a VM context changes. Dates serialize as ISO-8601 UTC.
import type { ContextStatus } from '@migratekit/core';
import type { JobRecord, JobStepRecord, LogEventRecord } from '@migratekit/db';

export interface JobUpdatedEvent {
  type: 'job.updated';
  /** The job as stored after the change (status, progress, counters, error). */
  job: JobRecord;
}

export interface JobStepEvent {
  type: 'job.step';
  job_id: string;
  step: JobStepRecord;
}

export interface JobLogEvent {
  type: 'job.log';
  job_id: string;
  log: LogEventRecord;
}

export interface ContextUpdatedEvent {
  type: 'context.updated';
  context_id: string;
  current_status: ContextStatus;
  previous_status?: ContextStatus;
  /** What else changed, for a client that wants to patch its cache without a refetch. */
  changes?: Record<string, unknown>;
  at: Date;
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

export type ServerEvent = JobUpdatedEvent | JobStepEvent | JobLogEvent | ContextUpdatedEvent | ReplicationProgressEvent;
export type ServerEventType = ServerEvent['type'];

export const SERVER_EVENT_TYPES: readonly ServerEventType[] = [
  'job.updated',
  'job.step',
  'job.log',
  'context.updated',
  'replication.progress',
];

/** The callback services get to publish events (the server wires it to its event bus). */
export type PublishEvent = (event: ServerEvent) => void;
