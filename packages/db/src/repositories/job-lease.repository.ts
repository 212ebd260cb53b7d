// Leases of plain JobLog jobs (job_tracking rows without a workflow; today: replications), for several servers on
// one database (docs/scale-out.md). A running job names its server (lease_owner) until lease_expires_at, which
// that server's heartbeat renews for all its jobs at once. A queued job has no owner yet, an agent (agent_id)
// and a deadline (lease_expires_at): the server holding that agent claims it. A job whose lease ran out (its
// server died, or nobody claimed it in time) is an orphan: one server claims it to end it. Claims are
// `FOR UPDATE SKIP LOCKED` on PostgreSQL and MariaDB, so two servers never claim the same row; SQLite has one
// writer and claims with a conditional UPDATE per row.
import { UNFINISHED_JOB_STATUSES } from '@migratekit/core';
import type { ExpressionBuilder, ExpressionWrapper, SqlBool } from 'kysely';
import type { DatabaseSchema } from '../schema';
import { affected, type RepositoryDeps } from './repository-deps';

type JobsBuilder = ExpressionBuilder<DatabaseSchema, 'job_tracking'>;
type Condition = (eb: JobsBuilder) => ExpressionWrapper<DatabaseSchema, 'job_tracking', SqlBool>;

export interface ClaimedPlainJob {
  id: string;
  job_type: string;
  agent_id: string | null;
  /** The server that held the job before the claim (null: queued, or written before leases existed). */
  previous_owner: string | null;
}

export interface OrphanClaim {
  owner: string;
  leaseExpiresAt: Date;
  /** Also claim jobs this server id still holds: at start-up nothing of a previous process runs any more. */
  includeOwn?: boolean;
  limit?: number;
}

export interface QueueClaim {
  owner: string;
  leaseExpiresAt: Date;
  /** The agents connected to the claiming server. */
  agentIds: readonly string[];
  jobType: string;
  limit?: number;
}

export class JobLeaseRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** The heartbeat: extends the lease of every unfinished plain job `owner` runs; returns how many. */
  async renew(owner: string, leaseExpiresAt: Date): Promise<number> {
    const result = await this.deps.db
      .updateTable('job_tracking')
      .set({ lease_expires_at: leaseExpiresAt })
      .where('lease_owner', '=', owner)
      .where('workflow_name', 'is', null)
      .where('status', 'in', [...UNFINISHED_JOB_STATUSES])
      .executeTakeFirst();
    return affected(result);
  }

  /** Unfinished plain jobs whose lease expired (or that never had one), claimed by `owner` to be ended. */
  claimOrphaned(claim: OrphanClaim): Promise<ClaimedPlainJob[]> {
    const now = this.deps.clock.now();
    return this.claim(
      (eb) =>
        eb.and([
          eb('workflow_name', 'is', null),
          eb('status', 'in', [...UNFINISHED_JOB_STATUSES]),
          eb.or([
            eb.and([eb('lease_owner', 'is', null), eb('lease_expires_at', 'is', null)]),
            eb('lease_expires_at', '<=', now),
            ...(claim.includeOwn === true ? [eb('lease_owner', '=', claim.owner)] : []),
          ]),
        ]),
      claim.owner,
      claim.leaseExpiresAt,
      claim.limit ?? 100,
    );
  }

  /** Queued jobs of `jobType` routed to one of `agentIds` whose deadline has not passed, claimed to be run. */
  claimQueued(claim: QueueClaim): Promise<ClaimedPlainJob[]> {
    if (claim.agentIds.length === 0) return Promise.resolve([]);
    const now = this.deps.clock.now();
    return this.claim(
      (eb) =>
        eb.and([
          eb('workflow_name', 'is', null),
          eb('job_type', '=', claim.jobType),
          eb('status', '=', 'pending'),
          eb('lease_owner', 'is', null),
          eb('agent_id', 'in', [...claim.agentIds]),
          eb('lease_expires_at', '>', now),
        ]),
      claim.owner,
      claim.leaseExpiresAt,
      claim.limit ?? 10,
    );
  }

  /** Gives a job's lease up (a clean stop): another server may take it as an orphan at once. */
  async release(jobId: string, owner: string): Promise<void> {
    await this.deps.db
      .updateTable('job_tracking')
      .set({ lease_expires_at: this.deps.clock.now() })
      .where('id', '=', jobId)
      .where('lease_owner', '=', owner)
      .execute();
  }

  private async claim(
    claimable: Condition,
    owner: string,
    leaseExpiresAt: Date,
    limit: number,
  ): Promise<ClaimedPlainJob[]> {
    const lease = { lease_owner: owner, lease_expires_at: leaseExpiresAt, updated_at: this.deps.clock.now() };
    const columns = ['id', 'job_type', 'agent_id', 'lease_owner'] as const;
    const toClaimed = (row: { id: string; job_type: string; agent_id: string | null; lease_owner: string | null }) => ({
      id: row.id,
      job_type: row.job_type,
      agent_id: row.agent_id,
      previous_owner: row.lease_owner,
    });
    if (this.deps.engine === 'sqlite') {
      const candidates = await this.deps.db
        .selectFrom('job_tracking')
        .select(columns)
        .where(claimable)
        .orderBy('created_at')
        .limit(limit)
        .execute();
      const claimed: ClaimedPlainJob[] = [];
      for (const candidate of candidates) {
        const result = await this.deps.db
          .updateTable('job_tracking')
          .set(lease)
          .where('id', '=', candidate.id)
          .where(claimable)
          .executeTakeFirst();
        if (affected(result) === 1) claimed.push(toClaimed(candidate));
      }
      return claimed;
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('job_tracking')
        .select(columns)
        .where(claimable)
        .orderBy('created_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      const ids = rows.map((row) => row.id);
      if (ids.length > 0) await trx.updateTable('job_tracking').set(lease).where('id', 'in', ids).execute();
      return rows.map(toClaimed);
    });
  }
}
