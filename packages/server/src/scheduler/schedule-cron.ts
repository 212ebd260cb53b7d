// Cron arithmetic of a schedule (docs/scheduler.md#cron): six fields, seconds first, evaluated in the schedule's
// IANA time zone by croner. Only computes times; never starts a timer (the scheduler loop sleeps on the clock).
import { MigrateKitError } from '@migratekit/core';
import { Cron } from 'croner';

export interface ScheduleCron {
  /** The first tick strictly after `after`, or null when the pattern has no more runs. */
  nextAfter(after: Date): Date | null;
  /** Ticks in (after, until], at most `limit`, oldest first. */
  ticksBetween(after: Date, until: Date, limit: number): Date[];
  /** Seconds between two consecutive ticks following `from`: the nominal interval RPO is measured against. */
  intervalSeconds(from: Date): number | null;
}

/** Parses and checks a cron expression and time zone; MKE_VALIDATION naming the field when either is wrong. */
export function scheduleCron(expression: string, timezone: string): ScheduleCron {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: 'cron_expression needs six fields, seconds first (e.g. "0 */15 * * * *")',
      field: 'body.cron_expression',
    });
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true });
  } catch (error) {
    throw new MigrateKitError('MKE_VALIDATION', {
      message: `Invalid cron_expression: ${(error as Error).message}`,
      field: 'body.cron_expression',
      cause: error,
    });
  }
  try {
    cron = new Cron(expression, { paused: true, timezone });
    cron.nextRun(new Date(0));
  } catch (error) {
    throw new MigrateKitError('MKE_VALIDATION', {
      message: `Invalid timezone ${timezone}: ${(error as Error).message}`,
      field: 'body.timezone',
      cause: error,
    });
  }
  return {
    nextAfter: (after) => cron.nextRun(after),
    ticksBetween(after, until, limit) {
      const ticks: Date[] = [];
      let cursor: Date | null = cron.nextRun(after);
      while (cursor !== null && cursor.getTime() <= until.getTime() && ticks.length < limit) {
        ticks.push(cursor);
        cursor = cron.nextRun(cursor);
      }
      return ticks;
    },
    intervalSeconds(from) {
      const [first, second] = cron.nextRuns(2, from);
      if (first === undefined || second === undefined) return null;
      return (second.getTime() - first.getTime()) / 1000;
    },
  };
}
