// Follows the executions that started jobs until every job ended (docs/scheduler.md#retries): a VM whose
// job failed is started again after the schedule's retry delay, up to its retry attempts; when nothing is active
// or waiting for a retry the execution ends, completed or failed, with its counters.
import { ACTIVE_REPLICATION_STATUSES, isMigrateKitError, type Clock } from '@migratekit/core';
import type { ReplicationJobRecord, Repositories, ScheduleExecutionRecord, ScheduleRecord } from '@migratekit/db';
import type { Logger } from 'pino';
import type { PublishEvent } from '../events/event-types';
import type { SchedulerJobStarter } from './job-starter';

export interface ExecutionSettlerDeps {
  repositories: Pick<Repositories, 'scheduleExecutions' | 'replicationJobs' | 'schedules'>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  jobs: SchedulerJobStarter;
  publish: PublishEvent;
}

interface VmAttempts {
  latest: ReplicationJobRecord;
  attempts: number;
  groupId: string | null;
}

function attemptsByVm(jobs: readonly ReplicationJobRecord[]): Map<string, VmAttempts> {
  const byVm = new Map<string, VmAttempts>();
  for (const job of jobs) {
    const seen = byVm.get(job.vm_context_id);
    byVm.set(job.vm_context_id, { latest: job, attempts: (seen?.attempts ?? 0) + 1, groupId: job.vm_group_id });
  }
  return byVm;
}

export class ExecutionSettler {
  constructor(private readonly deps: ExecutionSettlerDeps) {}

  /** Retries what is due and ends the executions whose jobs all ended; returns how many ended. */
  async settleAll(): Promise<number> {
    let ended = 0;
    for (const execution of await this.deps.repositories.scheduleExecutions.listRunning()) {
      if (await this.settle(execution)) ended += 1;
    }
    return ended;
  }

  private async settle(execution: ScheduleExecutionRecord): Promise<boolean> {
    const { repositories, clock } = this.deps;
    const schedule =
      execution.schedule_id === null ? undefined : await repositories.schedules.get(execution.schedule_id);
    const vms = attemptsByVm(await repositories.replicationJobs.listByExecution(execution.id));
    let active = 0;
    let waiting = 0;
    let completed = 0;
    let failed = 0;
    for (const [contextId, vm] of vms) {
      const status = vm.latest.status;
      if (ACTIVE_REPLICATION_STATUSES.includes(status)) active += 1;
      else if (status === 'completed') completed += 1;
      else if (schedule !== undefined && vm.attempts <= schedule.retry_attempts) {
        const due = (vm.latest.completed_at ?? vm.latest.updated_at).getTime() + schedule.retry_delay * 1000;
        if (due > clock.now().getTime()) waiting += 1;
        else if (await this.retry(schedule, execution.id, contextId, vm)) active += 1;
        else failed += 1;
      } else failed += 1;
    }
    const done = active === 0 && waiting === 0;
    await repositories.scheduleExecutions.update(execution.id, {
      jobs_completed: completed,
      jobs_failed: failed,
      ...(done ? { status: failed > 0 ? 'failed' : 'completed', completed_at: clock.now() } : {}),
    });
    if (done)
      this.deps.publish({
        type: 'schedule.execution',
        execution_id: execution.id,
        schedule_id: execution.schedule_id,
        status: failed > 0 ? 'failed' : 'completed',
        jobs_created: execution.jobs_created,
        jobs_skipped: execution.jobs_skipped,
      });
    return done;
  }

  private async retry(
    schedule: ScheduleRecord,
    executionId: string,
    contextId: string,
    vm: VmAttempts,
  ): Promise<boolean> {
    try {
      const job = await this.deps.jobs.start(contextId, {
        scheduledBy: `schedule:${schedule.name} (retry ${vm.attempts})`,
        scheduleExecutionId: executionId,
        groupId: vm.groupId,
      });
      this.deps.logger.info(
        { context: contextId, job: job.id, attempt: vm.attempts + 1 },
        'retrying a scheduled replication',
      );
      return true;
    } catch (error) {
      // A VM that cannot start now (another job holds it, the agent is gone) is counted failed for this run;
      // the next tick tries it again.
      const code = isMigrateKitError(error) ? error.code : 'MKE_INTERNAL';
      this.deps.logger.warn({ err: error, context: contextId, code }, 'scheduled retry did not start');
      return false;
    }
  }
}
