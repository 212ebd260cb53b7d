// The verdicts of a load run, from the database rows the servers wrote and the snapshots the vCenter simulator saw:
// no job ran twice, none was lost, every job ended, takeover within two leases, and the VM list fast enough.
import type { DatabaseHandle } from '@migratekit/db';
import type { LoadConfig } from './load-config';
import type { Percentiles } from './load-latency';
import type { KillRecord } from './load-phase';
import { ACTIVE_REPLICATION, executionJobIds, replicationJobs, unfinishedTrackedJobs, type JobRow } from './load-watch';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CheckInput {
  config: LoadConfig;
  db: DatabaseHandle;
  scheduleId: string;
  /** The VMs the schedule had to replicate. */
  contextIds: readonly string[];
  /** Snapshot name -> times taken (from the vCenter simulator). */
  snapshots: ReadonlyMap<string, number>;
  kill: KillRecord | undefined;
  listIdle: Percentiles;
}

const SNAPSHOT_PREFIX = 'migratekit-';

function overlapping(jobs: readonly JobRow[], endOfRun: Date): number {
  const byContext = new Map<string, JobRow[]>();
  for (const job of jobs) byContext.set(job.vm_context_id, [...(byContext.get(job.vm_context_id) ?? []), job]);
  let count = 0;
  for (const list of byContext.values()) {
    const sorted = [...list].sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1] as JobRow;
      const end = previous.completed_at ?? endOfRun;
      if ((sorted[i] as JobRow).created_at.getTime() < end.getTime()) count += 1;
    }
  }
  return count;
}

/** No job ran twice: one job per VM per tick, no two jobs of a VM at once, one copy per job, one good copy per VM. */
function duplicateCheck(input: CheckInput, jobs: readonly JobRow[]): Check {
  const perTick = new Map<string, number>();
  for (const job of jobs)
    if (job.schedule_execution_id !== null) {
      const key = `${job.schedule_execution_id}/${job.vm_context_id}`;
      perTick.set(key, (perTick.get(key) ?? 0) + 1);
    }
  const twicePerTick = [...perTick.values()].filter((n) => n > 1).length;
  const completedPerVm = new Map<string, number>();
  for (const job of jobs)
    if (job.status === 'completed')
      completedPerVm.set(job.vm_context_id, (completedPerVm.get(job.vm_context_id) ?? 0) + 1);
  const syncedTwice = [...completedPerVm.values()].filter((n) => n > 1).length;
  const concurrent = overlapping(jobs, new Date());
  // A job the dead server was running may be copied again by the server that takes it over: not a duplicate.
  const interrupted = new Set(input.kill?.activeJobIds ?? []);
  const copiedTwice = jobs.filter(
    (j) => !interrupted.has(j.id) && (input.snapshots.get(`${SNAPSHOT_PREFIX}${j.id}`) ?? 0) > 1,
  ).length;
  const known = new Set(jobs.map((j) => `${SNAPSHOT_PREFIX}${j.id}`));
  const strayCopies = [...input.snapshots.keys()].filter((n) => n.startsWith(SNAPSHOT_PREFIX) && !known.has(n)).length;
  const total = twicePerTick + syncedTwice + concurrent + copiedTwice + strayCopies;
  return {
    name: 'no job ran twice',
    ok: total === 0,
    detail:
      `${twicePerTick} VMs with 2+ jobs in one tick, ${syncedTwice} VMs with 2+ completed initial copies, ` +
      `${concurrent} overlapping jobs of one VM, ${copiedTwice} jobs copied twice (snapshots), ` +
      `${strayCopies} copies without a job row`,
  };
}

async function lostCheck(input: CheckInput, jobs: readonly JobRow[]): Promise<Check> {
  const completed = new Set(jobs.filter((j) => j.status === 'completed').map((j) => j.vm_context_id));
  // VMs that never became contexts (a failed add) count as not replicated too.
  const expected = Math.max(input.config.replicate, input.contextIds.length);
  const notReplicated = expected - input.contextIds.filter((id) => completed.has(id)).length;
  const rows = new Set(jobs.map((j) => j.id));
  const announced = await executionJobIds(input.db, input.scheduleId);
  const missingRows = announced.filter((id) => !rows.has(id)).length;
  return {
    name: 'no job lost',
    ok: notReplicated === 0 && missingRows === 0,
    detail:
      `${expected - notReplicated}/${expected} VMs replicated, ${notReplicated} never ` +
      `completed; ${missingRows} of ${announced.length} jobs the executions list have no row`,
  };
}

async function terminalCheck(input: CheckInput, jobs: readonly JobRow[]): Promise<Check> {
  const active = jobs.filter((j) => ACTIVE_REPLICATION.includes(j.status));
  const tracked = await unfinishedTrackedJobs(input.db);
  const byStatus = new Map<string, number>();
  for (const job of jobs) byStatus.set(job.status, (byStatus.get(job.status) ?? 0) + 1);
  return {
    name: 'every job terminal',
    ok: active.length === 0 && tracked === 0,
    detail:
      `${active.length} replication jobs still pending/replicating, ${tracked} job_tracking rows unfinished; ` +
      `statuses: ${[...byStatus].map(([s, n]) => `${s}=${n}`).join(' ')}`,
  };
}

function takeoverChecks(input: CheckInput): Check[] {
  const kill = input.kill;
  const limit = 2 * input.config.leaseMs;
  if (kill === undefined)
    return [
      { name: 'takeover within 2 leases', ok: input.config.killAfterShare === 0, detail: 'no server was killed' },
    ];
  const ms = (v: number | undefined): string => (v === undefined ? 'never (within the run)' : `${v} ms`);
  return [
    {
      name: 'scheduler takeover within 2 leases',
      ok: kill.schedulerTakeoverMs !== undefined && kill.schedulerTakeoverMs <= limit,
      detail: `${kill.serverId} killed (leader before: ${kill.leaderBefore ?? 'none'}); new leader ${kill.leaderAfter ?? 'none'} after ${ms(kill.schedulerTakeoverMs)}; limit ${limit} ms`,
    },
    {
      name: 'job takeover within 2 leases',
      ok: kill.jobTakeoverMs !== undefined && kill.jobTakeoverMs <= limit,
      detail: `${kill.activeJobIds.length} jobs were running on the killed server; all ended or leased by a live server after ${ms(kill.jobTakeoverMs)}; limit ${limit} ms`,
    },
  ];
}

export async function runChecks(input: CheckInput): Promise<{ checks: Check[]; jobs: JobRow[] }> {
  const jobs = await replicationJobs(input.db);
  const p99 = input.listIdle.p99;
  const checks: Check[] = [
    duplicateCheck(input, jobs),
    await lostCheck(input, jobs),
    await terminalCheck(input, jobs),
    ...takeoverChecks(input),
    {
      name: `GET /api/v1/vm-contexts p99 < ${input.config.listP99TargetMs} ms`,
      ok: Number.isFinite(p99) && p99 < input.config.listP99TargetMs,
      detail: `p99 ${p99.toFixed(1)} ms over ${input.listIdle.count} requests (${input.listIdle.errors} errors)`,
    },
  ];
  return { checks, jobs };
}
