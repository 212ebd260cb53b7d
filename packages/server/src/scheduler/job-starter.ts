// The scheduler's port for starting a replication job of one VM. In the server it is the replication service
// (compose wires it); a test of planning at scale may use recordOnlyJobStarter in test/, which takes the VM's job
// slot and writes the job row through the same repositories without copying anything.
import type { ReplicationService } from '../replication/replication.service';

export interface ScheduledJobRequest {
  scheduledBy: string;
  scheduleExecutionId: string;
  groupId: string | null;
}

export interface SchedulerJobStarter {
  /** Starts a job; MKE_JOB_ACTIVE when the database says the VM already has one (the slot is taken). */
  start(contextId: string, request: ScheduledJobRequest): Promise<{ id: string }>;
}

export function replicationJobStarter(replication: Pick<ReplicationService, 'start'>): SchedulerJobStarter {
  return {
    start: (contextId, request) =>
      replication.start(contextId, {
        scheduledBy: request.scheduledBy,
        scheduleExecutionId: request.scheduleExecutionId,
        groupId: request.groupId,
      }),
  };
}
