// One tick of a schedule (docs/scheduler.md#tick) = one schedule_executions row: record it (a cron tick's key
// is unique, so a second server's attempt to run the same tick stops here), plan which VMs get a job, start
// them through the job port (each start claims the VM's job slot in the database: never two jobs for one VM),
// then write what was eligible, created and skipped, and why.
import { isMigrateKitError, type Clock } from '@migratekit/core';
import type { ExecutionVmDetail, Repositories, ScheduleExecutionRecord, ScheduleRecord } from '@migratekit/db';
import type { Logger } from 'pino';
import type { PublishEvent } from '../events/event-types';
import type { SchedulerJobStarter } from './job-starter';
import { planTick, SKIP_REASONS, type PlannedVm, type TickPlan } from './tick-planner';

/** Job starts in flight at once during a tick (below the database pool size of 10). */
const START_CONCURRENCY = 8;

export interface TickRunnerDeps {
  repositories: Pick<Repositories, 'scheduleExecutions' | 'machineGroups' | 'replicationJobs'>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  jobs: SchedulerJobStarter;
  agentsOnline: () => boolean;
  publish: PublishEvent;
}

export interface TickRequest {
  scheduledAt: Date;
  /** 'scheduler', 'scheduler:catch-up', 'retry' or the user who pressed "run now". */
  triggeredBy: string;
  /** Set for cron ticks; undefined for manual runs. */
  tickKey?: string;
}

export function tickKeyOf(scheduleId: string, at: Date): string {
  return `${scheduleId}@${at.toISOString()}`;
}

export class TickRunner {
  constructor(private readonly deps: TickRunnerDeps) {}

  /** Runs one tick; undefined when another server already recorded this cron tick. */
  async run(schedule: ScheduleRecord, request: TickRequest): Promise<ScheduleExecutionRecord | undefined> {
    const executions = this.deps.repositories.scheduleExecutions;
    const base = {
      schedule_id: schedule.id,
      scheduled_at: request.scheduledAt,
      started_at: this.deps.clock.now(),
      triggered_by: request.triggeredBy,
    };
    const execution =
      request.tickKey === undefined
        ? await executions.create(base)
        : await executions.createTick({ ...base, tick_key: request.tickKey });
    if (execution === undefined) return undefined;
    try {
      if (schedule.skip_if_running && (await this.previousStillRunning(schedule.id, execution.id))) {
        return await this.end(execution.id, {
          status: 'skipped',
          error: 'the previous run of this schedule is still running',
        });
      }
      const plan = await this.plan(schedule);
      const details = await this.startJobs(schedule, execution.id, plan);
      const created = details.filter((d) => d.outcome === 'created').length;
      return await this.end(execution.id, {
        status: created > 0 ? 'running' : 'completed',
        vms_eligible: plan.eligible,
        jobs_created: created,
        jobs_failed: details.filter((d) => d.outcome === 'failed').length,
        jobs_skipped: details.filter((d) => d.outcome === 'skipped').length,
        details,
      });
    } catch (error) {
      this.deps.logger.error({ err: error, schedule: schedule.id, execution: execution.id }, 'schedule tick failed');
      return this.end(execution.id, {
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async previousStillRunning(scheduleId: string, currentId: string): Promise<boolean> {
    const running = await this.deps.repositories.scheduleExecutions.listRunning();
    return running.some((e) => e.schedule_id === scheduleId && e.id !== currentId);
  }

  private async plan(schedule: ScheduleRecord): Promise<TickPlan> {
    const { machineGroups, replicationJobs } = this.deps.repositories;
    const [members, activeContextIds] = await Promise.all([
      machineGroups.listScheduledMembers(schedule.id),
      replicationJobs.activeContextIds(),
    ]);
    return planTick({ schedule, members, activeContextIds, agentsOnline: this.deps.agentsOnline() });
  }

  private async startJobs(schedule: ScheduleRecord, executionId: string, plan: TickPlan): Promise<ExecutionVmDetail[]> {
    const created: ExecutionVmDetail[] = [];
    // A few starts at a time: each is several round trips to the database, and the VM's slot claim guards each
    // one on its own, so their order within a tick does not matter (the plan already chose who starts).
    for (let i = 0; i < plan.start.length; i += START_CONCURRENCY) {
      const batch = plan.start.slice(i, i + START_CONCURRENCY);
      created.push(...(await Promise.all(batch.map((vm) => this.startOne(schedule, executionId, vm)))));
    }
    const skipped = plan.skip.map((skip): ExecutionVmDetail => ({
      ...skip,
      outcome: 'skipped',
      message: SKIP_REASONS[skip.reason],
    }));
    return [...created, ...skipped];
  }

  private async startOne(schedule: ScheduleRecord, executionId: string, vm: PlannedVm): Promise<ExecutionVmDetail> {
    const base = { vm_context_id: vm.vm_context_id, vm_name: vm.vm_name, group_id: vm.group_id };
    try {
      const job = await this.deps.jobs.start(vm.vm_context_id, {
        scheduledBy: `schedule:${schedule.name}`,
        scheduleExecutionId: executionId,
        groupId: vm.group_id,
      });
      return { ...base, outcome: 'created', job_id: job.id };
    } catch (error) {
      // Another server or an operator took the VM's slot between planning and starting: the database refused.
      if (isMigrateKitError(error) && error.code === 'MKE_JOB_ACTIVE')
        return { ...base, outcome: 'skipped', reason: 'active_job', message: SKIP_REASONS.active_job };
      this.deps.logger.warn({ err: error, context: vm.vm_context_id }, 'scheduled replication did not start');
      const code = isMigrateKitError(error) ? error.code : 'MKE_INTERNAL';
      const message = error instanceof Error ? error.message : String(error);
      return { ...base, outcome: 'failed', reason: code, message };
    }
  }

  private async end(
    executionId: string,
    patch: Parameters<Repositories['scheduleExecutions']['update']>[1],
  ): Promise<ScheduleExecutionRecord> {
    const ended = patch.status === 'running' ? {} : { completed_at: this.deps.clock.now() };
    const record = await this.deps.repositories.scheduleExecutions.update(executionId, { ...patch, ...ended });
    if (record === undefined) throw new Error(`schedule execution ${executionId} vanished`);
    this.deps.publish({
      type: 'schedule.execution',
      execution_id: record.id,
      schedule_id: record.schedule_id,
      status: record.status,
      jobs_created: record.jobs_created,
      jobs_skipped: record.jobs_skipped,
    });
    return record;
  }
}
