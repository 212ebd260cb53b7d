import type { Kysely } from 'kysely';
import type { DatabaseSchema, NewRow, Row } from '../schema';

export type SessionRow = Row<'sessions'>;

export class SessionRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(row: NewRow<'sessions'>): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** The session with this hashed id, only while it has not expired. */
  async getValid(id: string, now: Date): Promise<SessionRow | undefined> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  async touch(id: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
