// Login sessions, stored by the SHA-256 of the cookie value so a database dump cannot be replayed.
import type { NewRow, Row } from '../schema';
import { affected, type RepositoryDeps } from './repository-deps';

export type SessionRow = Row<'sessions'>;

export class SessionRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async insert(row: NewRow<'sessions'>): Promise<void> {
    await this.deps.db.insertInto('sessions').values(row).execute();
  }

  /** The session with this hashed id, only while it has not expired. */
  async getValid(id: string): Promise<SessionRow | undefined> {
    return this.deps.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .where('expires_at', '>', this.deps.clock.now())
      .executeTakeFirst();
  }

  /** Slides the expiry forward on use. */
  async touch(id: string, expiresAt: Date): Promise<void> {
    await this.deps.db
      .updateTable('sessions')
      .set({ last_seen_at: this.deps.clock.now(), expires_at: expiresAt })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.deps.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of the user, except `keepId` when given (the session that asked). */
  async deleteForUser(userId: string, keepId?: string): Promise<void> {
    let query = this.deps.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (keepId !== undefined) query = query.where('id', '!=', keepId);
    await query.execute();
  }

  async deleteExpired(): Promise<number> {
    return affected(
      await this.deps.db.deleteFrom('sessions').where('expires_at', '<=', this.deps.clock.now()).executeTakeFirst(),
    );
  }
}
