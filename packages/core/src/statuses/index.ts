// The status catalogue (docs/statuses.md): every status set of the product and its transitions. Free of I/O,
// so the dashboard imports it as `@migratekit/core/statuses`.
import { agentRequestStatuses } from './agent-request-status';
import { contextStatuses } from './context-status';
import { failoverJobStatuses } from './failover-job-status';
import { jobStatuses, jobStepStatuses } from './job-status';
import { networkMappingValidationStatuses } from './network-mapping-status';
import { recoveryPlanRunStatuses } from './recovery-plan-run-status';
import { replicationJobStatuses } from './replication-job-status';
import { scheduleExecutionStatuses } from './schedule-execution-status';
import type { StatusKind, StatusSet } from './status-set';
import { volumeOperationStatuses } from './volume-operation-status';
import { workflowStatuses } from './workflow-status';

export * from './agent-request-status';
export * from './context-status';
export * from './failover-job-status';
export * from './job-status';
export * from './network-mapping-status';
export * from './recovery-plan-run-status';
export * from './replication-job-status';
export * from './schedule-execution-status';
export * from './status-set';
export * from './volume-operation-status';
export * from './workflow-status';

/** Every status set, for the consistency test and for tools that list them. */
export const STATUS_SETS: readonly StatusSet<string>[] = [
  contextStatuses,
  jobStatuses,
  jobStepStatuses,
  replicationJobStatuses,
  failoverJobStatuses,
  volumeOperationStatuses,
  networkMappingValidationStatuses,
  scheduleExecutionStatuses,
  workflowStatuses,
  recoveryPlanRunStatuses,
  agentRequestStatuses,
] as StatusSet<string>[];

/** The kind of a status of any set; undefined for a string that is no status of the catalogue. */
export function statusKind(status: string): StatusKind | undefined {
  for (const set of STATUS_SETS) if (set.is(status)) return set.kinds[status];
  return undefined;
}
