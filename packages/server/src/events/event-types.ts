// Events the server publishes for the live stream (GET /api/v1/events, Server-Sent Events). The JobLog emits
// the job events; services emit context.updated when a VM context changes. The event shapes live in
// @migratekit/core (the dashboard reads them too); here they carry the server's records, whose dates
// serialize as ISO-8601 UTC.
import type {
  ContextUpdatedEvent as ContextUpdatedEventOf,
  JobLogEvent as JobLogEventOf,
  JobStepEvent as JobStepEventOf,
  JobUpdatedEvent as JobUpdatedEventOf,
  RpoAlertEvent as RpoAlertEventOf,
  ServerEventOf,
} from '@migratekit/core';
import type { JobRecord, JobStepRecord, LogEventRecord } from '@migratekit/db';

interface ServerPayloads {
  job: JobRecord;
  step: JobStepRecord;
  log: LogEventRecord;
  date: Date;
}

export type JobUpdatedEvent = JobUpdatedEventOf<ServerPayloads>;
export type JobStepEvent = JobStepEventOf<ServerPayloads>;
export type JobLogEvent = JobLogEventOf<ServerPayloads>;
export type ContextUpdatedEvent = ContextUpdatedEventOf<ServerPayloads>;
export type RpoAlertEvent = RpoAlertEventOf<ServerPayloads>;
export type { ReplicationProgressEvent, ScheduleExecutionEvent, ServerEventType } from '@migratekit/core';
export { SERVER_EVENT_TYPES } from '@migratekit/core';
export type ServerEvent = ServerEventOf<ServerPayloads>;

/** The callback services get to publish events (the server wires it to its event bus). */
export type PublishEvent = (event: ServerEvent) => void;
