// scheduler_leases (docs/scheduler.md#leader): one row per lease name. A server holds the lease while its row
// names it and has not expired; taking it over is one conditional UPDATE, so two servers can never both win,
// on SQLite, PostgreSQL and MariaDB alike. The holder is read back after the UPDATE instead of trusting the
// affected-row count, which MariaDB reports as 0 when a renewal writes the same values.
import type { RepositoryDeps } from './repository-deps';
import { isUniqueViolation } from './repository-deps';

export interface LeaseHolder {
  owner: string;
  acquired_at: Date;
  expires_at: Date;
}

export class SchedulerLeaseRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Takes or renews `name` for `owner` until now + ttlMs; true when `owner` holds it afterwards. */
  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.deps.clock.now();
    const expires = new Date(now.getTime() + ttlMs);
    try {
      await this.deps.db
        .insertInto('scheduler_leases')
        .values({ name, owner, acquired_at: now, expires_at: expires })
        .execute();
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const current = await this.holder(name);
    const renewing = current?.owner === owner;
    await this.deps.db
      .updateTable('scheduler_leases')
      .set({ owner, expires_at: expires, ...(renewing ? {} : { acquired_at: now }) })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('owner', '=', owner), eb('expires_at', '<', now)]))
      .execute();
    const after = await this.holder(name);
    return after?.owner === owner && after.expires_at.getTime() === expires.getTime();
  }

  /** Gives the lease up early (clean shutdown) so another server need not wait for it to expire. */
  async release(name: string, owner: string): Promise<void> {
    await this.deps.db.deleteFrom('scheduler_leases').where('name', '=', name).where('owner', '=', owner).execute();
  }

  async holder(name: string): Promise<LeaseHolder | undefined> {
    return this.deps.db
      .selectFrom('scheduler_leases')
      .select(['owner', 'acquired_at', 'expires_at'])
      .where('name', '=', name)
      .executeTakeFirst();
  }
}
