// The scheduler loop (docs/scheduler.md): while this server holds the scheduler lease it runs every due cron
// tick of every enabled schedule, applies the catch-up policy to ticks missed while no server ran, retries and
// ends executions, and publishes RPO alerts. It sleeps on the injected clock, so tests drive it with a
// ManualClock and production with the system clock; "run now" is a manual tick with no tick key.
import { MigrateKitError, type Clock } from '@migratekit/core';
import type { Repositories, ScheduleExecutionRecord, ScheduleRecord } from '@migratekit/db';
import type { Logger } from 'pino';
import type { PublishEvent } from '../events/event-types';
import { ExecutionSettler } from './execution-settler';
import type { SchedulerJobStarter } from './job-starter';
import { scheduleCron } from './schedule-cron';
import { TickRunner, tickKeyOf } from './tick-runner';

export const SCHEDULER_LEASE = 'scheduler';

export interface SchedulerTimings {
  /** How long a leader's lease lasts without renewal; another server takes over after it. */
  leaseTtlMs: number;
  /** The longest the loop sleeps: new schedules, lease renewal and job ends are seen this often. */
  pollMs: number;
  /** A tick later than this is a missed tick (the server was down), handled by the catch-up policy. */
  catchUpGraceMs: number;
}

export const DEFAULT_SCHEDULER_TIMINGS: SchedulerTimings = {
  leaseTtlMs: 30_000,
  pollMs: 5_000,
  catchUpGraceMs: 60_000,
};

/** Missed ticks are looked at up to this many; a schedule that missed more catches up on the latest only. */
const MAX_TICKS_PER_ROUND = 10_000;

export interface SchedulerServiceDeps {
  repositories: Pick<
    Repositories,
    'schedules' | 'scheduleExecutions' | 'machineGroups' | 'replicationJobs' | 'schedulerLeases'
  >;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  jobs: SchedulerJobStarter;
  agentsOnline: () => boolean;
  publish: PublishEvent;
  /** This server's id in the lease (MIGRATEKIT_SERVER_ID). */
  serverId: string;
  /** Publishes RPO alerts after each round (RpoService.check). */
  rpo?: { check(): Promise<void> };
  timings?: Partial<SchedulerTimings>;
}

export class SchedulerService {
  private readonly ticks: TickRunner;
  private readonly settler: ExecutionSettler;
  private readonly timings: SchedulerTimings;
  private loop: { abort: AbortController; done: Promise<void> } | undefined;

  constructor(private readonly deps: SchedulerServiceDeps) {
    this.ticks = new TickRunner(deps);
    this.settler = new ExecutionSettler(deps);
    this.timings = { ...DEFAULT_SCHEDULER_TIMINGS, ...deps.timings };
  }

  /** Starts the background loop (idempotent). */
  start(): void {
    if (this.loop !== undefined) return;
    const abort = new AbortController();
    this.loop = { abort, done: this.runLoop(abort.signal) };
  }

  /** Stops the loop and gives up the lease so another server can lead at once. */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (loop === undefined) return;
    this.loop = undefined;
    loop.abort.abort(new MigrateKitError('MKE_CANCELLED', { message: 'scheduler stopping' }));
    await loop.done;
    await this.deps.repositories.schedulerLeases.release(SCHEDULER_LEASE, this.deps.serverId);
  }

  /** One round of the loop: lead or stand by, run due ticks, settle executions. Returns ms until the next. */
  async runRound(): Promise<{ leader: boolean; executions: ScheduleExecutionRecord[]; sleepMs: number }> {
    const { repositories, serverId, clock } = this.deps;
    const leader = await repositories.schedulerLeases.acquire(SCHEDULER_LEASE, serverId, this.timings.leaseTtlMs);
    if (!leader) return { leader, executions: [], sleepMs: this.timings.pollMs };
    const executions: ScheduleExecutionRecord[] = [];
    let wakeAt = clock.now().getTime() + this.timings.pollMs;
    for (const schedule of await repositories.schedules.list({ enabled: true })) {
      const { ran, next } = await this.runDue(schedule);
      executions.push(...ran);
      if (next !== null) wakeAt = Math.min(wakeAt, next.getTime());
    }
    await this.settler.settleAll();
    await this.deps.rpo?.check();
    return { leader, executions, sleepMs: Math.max(0, wakeAt - clock.now().getTime()) };
  }

  /** "Run now": a manual tick of the schedule, whether or not it is enabled. */
  async runNow(scheduleId: string, user: string): Promise<ScheduleExecutionRecord> {
    const schedule = await this.deps.repositories.schedules.require(scheduleId);
    const execution = await this.ticks.run(schedule, { scheduledAt: this.deps.clock.now(), triggeredBy: user });
    if (execution === undefined) throw new Error('a manual run has no tick key and cannot collide');
    return execution;
  }

  private async runDue(schedule: ScheduleRecord): Promise<{ ran: ScheduleExecutionRecord[]; next: Date | null }> {
    const now = this.deps.clock.now();
    const cron = scheduleCron(schedule.cron_expression, schedule.timezone);
    const from = schedule.last_run_at ?? schedule.created_at;
    const due = cron.ticksBetween(from, now, MAX_TICKS_PER_ROUND);
    const latest = due.at(-1);
    if (latest === undefined) return { ran: [], next: cron.nextAfter(from) };
    const next = cron.nextAfter(latest);
    // Claim the ticks first: if another server advanced last_run_at meanwhile, it runs them, not us.
    if (!(await this.deps.repositories.schedules.advanceLastRun(schedule.id, schedule.last_run_at, latest, next)))
      return { ran: [], next };
    const late = now.getTime() - latest.getTime() > this.timings.catchUpGraceMs;
    const missed = due.filter((t) => now.getTime() - t.getTime() > this.timings.catchUpGraceMs);
    const ran: ScheduleExecutionRecord[] = [];
    if (missed.length > 0 && (schedule.catch_up_policy === 'skip' || !late)) {
      const skipped = await this.recordMissed(schedule, missed, late ? undefined : latest);
      if (skipped !== undefined) ran.push(skipped);
    }
    if (!late || schedule.catch_up_policy === 'run_once') {
      const triggeredBy = late ? 'scheduler:catch-up' : 'scheduler';
      const execution = await this.ticks.run(schedule, {
        scheduledAt: latest,
        triggeredBy,
        tickKey: tickKeyOf(schedule.id, latest),
      });
      if (execution !== undefined) ran.push(execution);
    }
    return { ran, next };
  }

  /** One skipped execution stands for every tick missed while no scheduler ran. */
  private async recordMissed(
    schedule: ScheduleRecord,
    missed: readonly Date[],
    runningTick: Date | undefined,
  ): Promise<ScheduleExecutionRecord | undefined> {
    const lastMissed = missed.filter((t) => t.getTime() !== runningTick?.getTime()).at(-1);
    const first = missed[0];
    if (lastMissed === undefined || first === undefined) return undefined;
    const count = missed.length - (runningTick === undefined ? 0 : 1);
    const execution = await this.deps.repositories.scheduleExecutions.createTick({
      schedule_id: schedule.id,
      scheduled_at: lastMissed,
      started_at: this.deps.clock.now(),
      triggered_by: 'scheduler:catch-up',
      status: 'skipped',
      tick_key: tickKeyOf(schedule.id, lastMissed),
    });
    if (execution === undefined) return undefined;
    this.deps.logger.warn({ schedule: schedule.name, missed: count }, 'skipped ticks missed while no scheduler ran');
    return this.deps.repositories.scheduleExecutions.update(execution.id, {
      completed_at: this.deps.clock.now(),
      error: `missed ${count} tick(s) from ${first.toISOString()} to ${lastMissed.toISOString()} while no scheduler ran (catch-up policy: ${schedule.catch_up_policy})`,
    });
  }

  private async runLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let sleepMs = this.timings.pollMs;
      try {
        sleepMs = (await this.runRound()).sleepMs;
      } catch (error) {
        this.deps.logger.error({ err: error }, 'scheduler round failed');
      }
      try {
        await this.deps.clock.sleep(Math.max(sleepMs, 1), signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
    }
  }
}
