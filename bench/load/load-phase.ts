// The replication phase: the schedule is enabled, the harness watches the database until every VM to replicate
// has a completed copy and nothing runs (or the time limit), and SIGKILLs the scheduler leader once the configured
// share of the VMs is done. It times two takeovers after the kill: the scheduler lease changing hands, and the
// jobs the dead server was running reaching a final state or a live server's lease.
import type { DatabaseHandle } from '@migratekit/db';
import type { LoadConfig } from './load-config';
import type { LoadServer } from './load-servers';
import { ACTIVE_REPLICATION, leaseOwners, replicationJobs, schedulerLeader } from './load-watch';

const POLL_MS = 500;

export interface KillRecord {
  serverId: string;
  at: number;
  /** Replication jobs active (pending or replicating) when the server died. */
  activeJobIds: string[];
  schedulerTakeoverMs: number | undefined;
  jobTakeoverMs: number | undefined;
  /** Who held the scheduler lease just before the kill. */
  leaderBefore: string | undefined;
  leaderAfter: string | undefined;
}

export interface PhaseResult {
  startedAt: number;
  endedAt: number;
  /** Every VM to replicate had a completed job and nothing was running. */
  finished: boolean;
  kill: KillRecord | undefined;
}

interface PhaseDeps {
  config: LoadConfig;
  db: DatabaseHandle;
  servers: LoadServer[];
  contextIds: ReadonlySet<string>;
  deadline: number;
}

async function killLeader(deps: PhaseDeps, activeJobIds: string[]): Promise<KillRecord> {
  const leader = await schedulerLeader(deps.db);
  const alive = deps.servers.filter((s) => s.killedAt === undefined);
  const victim = alive.find((s) => s.id === leader?.owner) ?? alive[0];
  if (victim === undefined) throw new Error('no server left to kill');
  victim.killedAt = Date.now();
  await victim.child.kill9();
  return {
    serverId: victim.id,
    at: victim.killedAt,
    activeJobIds,
    schedulerTakeoverMs: undefined,
    jobTakeoverMs: undefined,
    leaderBefore: leader?.owner,
    leaderAfter: undefined,
  };
}

/** Fills in the takeover times once they happen. */
async function followTakeover(deps: PhaseDeps, kill: KillRecord, finalStatus: Map<string, string>): Promise<void> {
  const now = Date.now();
  if (kill.schedulerTakeoverMs === undefined) {
    const leader = await schedulerLeader(deps.db);
    if (leader !== undefined && leader.owner !== kill.serverId) {
      kill.schedulerTakeoverMs = now - kill.at;
      kill.leaderAfter = leader.owner;
    }
  }
  if (kill.jobTakeoverMs === undefined) {
    const live = new Set(deps.servers.filter((s) => s.killedAt === undefined).map((s) => s.id));
    const owners = await leaseOwners(deps.db, kill.activeJobIds);
    const pending = kill.activeJobIds.filter((id) => {
      const status = finalStatus.get(id);
      if (status !== undefined && !ACTIVE_REPLICATION.includes(status)) return false;
      const owner = owners.get(id);
      return !(owner !== null && owner !== undefined && live.has(owner));
    });
    if (pending.length === 0) kill.jobTakeoverMs = now - kill.at;
  }
}

export async function runReplicationPhase(deps: PhaseDeps): Promise<PhaseResult> {
  const { config } = deps;
  const startedAt = Date.now();
  let kill: KillRecord | undefined;
  let finished = false;
  while (Date.now() < deps.deadline) {
    const jobs = await replicationJobs(deps.db);
    const status = new Map(jobs.map((j) => [j.id, j.status]));
    const active = jobs.filter((j) => ACTIVE_REPLICATION.includes(j.status));
    const done = new Set(jobs.filter((j) => j.status === 'completed').map((j) => j.vm_context_id));
    const doneShare = deps.contextIds.size === 0 ? 1 : done.size / deps.contextIds.size;
    if (kill === undefined && config.killAfterShare > 0 && doneShare >= config.killAfterShare && active.length > 0)
      kill = await killLeader(
        deps,
        active.map((j) => j.id),
      );
    else if (kill !== undefined) await followTakeover(deps, kill, status);
    if ([...deps.contextIds].every((id) => done.has(id)) && active.length === 0) {
      finished = true;
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return { startedAt, endedAt: Date.now(), finished, kill };
}

/** After the phase: keep following the takeover and wait for running jobs to end, up to `ms`. */
export async function drain(deps: PhaseDeps, kill: KillRecord | undefined, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const jobs = await replicationJobs(deps.db);
    if (kill !== undefined) await followTakeover(deps, kill, new Map(jobs.map((j) => [j.id, j.status])));
    const active = jobs.filter((j) => ACTIVE_REPLICATION.includes(j.status)).length;
    const takeoverSettled =
      kill === undefined || (kill.schedulerTakeoverMs !== undefined && kill.jobTakeoverMs !== undefined);
    if (active === 0 && takeoverSettled) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
