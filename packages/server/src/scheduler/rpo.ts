// RPO of one VM (docs/scheduler.md#rpo): how old its last good sync is, against its schedule's interval and the
// target the operator accepts (the schedule's target_rpo_seconds, else twice the interval). Pure arithmetic.

export type RpoState = 'ok' | 'warning' | 'breached' | 'pending' | 'unprotected';

export interface VmRpo {
  state: RpoState;
  schedule_id: string | null;
  schedule_name: string | null;
  interval_seconds: number | null;
  target_seconds: number | null;
  /** Seconds since the last successful sync completed; null before the first. */
  age_seconds: number | null;
  last_sync_at: Date | null;
  /** Why the VM is not within its target (or not protected), in a sentence; null when it is fine. */
  reason: string | null;
}

export interface RpoSchedule {
  id: string;
  name: string;
  enabled: boolean;
  interval_seconds: number | null;
  target_rpo_seconds: number | null;
}

export interface RpoInput {
  now: Date;
  lastSyncAt: Date | null;
  schedule: RpoSchedule | undefined;
  hasActiveJob: boolean;
  /** What kept the VM from syncing on its schedule's latest run (a skip reason or a job error). */
  blocker: string | undefined;
}

export function targetSeconds(schedule: RpoSchedule): number | null {
  if (schedule.target_rpo_seconds !== null) return schedule.target_rpo_seconds;
  return schedule.interval_seconds === null ? null : schedule.interval_seconds * 2;
}

export function rpoOf(input: RpoInput): VmRpo {
  const age = input.lastSyncAt === null ? null : Math.max(0, (input.now.getTime() - input.lastSyncAt.getTime()) / 1000);
  const schedule = input.schedule;
  const base = {
    schedule_id: schedule?.id ?? null,
    schedule_name: schedule?.name ?? null,
    interval_seconds: schedule?.interval_seconds ?? null,
    target_seconds: schedule === undefined ? null : targetSeconds(schedule),
    age_seconds: age === null ? null : Math.round(age),
    last_sync_at: input.lastSyncAt,
  };
  if (schedule === undefined || !schedule.enabled)
    return {
      ...base,
      state: 'unprotected',
      reason: schedule === undefined ? 'no schedule protects this VM' : `schedule ${schedule.name} is disabled`,
    };
  const target = base.target_seconds;
  const why = (fallback: string): string => (input.blocker === undefined ? fallback : `${input.blocker}; ${fallback}`);
  if (age === null) {
    if (input.hasActiveJob) return { ...base, state: 'pending', reason: 'the first full copy is running' };
    return { ...base, state: 'breached', reason: why('no successful sync yet') };
  }
  if (target !== null && age > target)
    return { ...base, state: 'breached', reason: why(`last good sync ${Math.round(age)} s ago, target ${target} s`) };
  if (base.interval_seconds !== null && age > base.interval_seconds && input.blocker !== undefined)
    return { ...base, state: 'warning', reason: input.blocker };
  return { ...base, state: 'ok', reason: null };
}
