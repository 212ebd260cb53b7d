import type { Kysely } from 'kysely';
import type { DatabaseSchema, NewRow, Row } from '../schema';

export type UserRow = Row<'users'>;

export interface UserChanges {
  role?: string;
  password_hash?: string;
  is_active?: boolean;
}

export class UserRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(row: NewRow<'users'>): Promise<UserRow> {
    await this.db.insertInto('users').values(row).execute();
    return this.getOrThrow(row.id);
  }

  async get(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByUsername(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  async list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('username').execute();
  }

  async count(): Promise<number> {
    const result = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(result.n);
  }

  async countActiveAdmins(): Promise<number> {
    const result = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('role', '=', 'admin')
      .where('is_active', '=', true)
      .executeTakeFirstOrThrow();
    return Number(result.n);
  }

  async update(id: string, changes: UserChanges, now: Date): Promise<UserRow | undefined> {
    await this.db
      .updateTable('users')
      .set({ ...changes, updated_at: now })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  async recordLogin(id: string, now: Date): Promise<void> {
    await this.db.updateTable('users').set({ last_login_at: now }).where('id', '=', id).execute();
  }

  /** Deletes the user; sessions and tokens go with it. */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await tx.deleteFrom('api_tokens').where('user_id', '=', id).execute();
      const result = await tx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  private async getOrThrow(id: string): Promise<UserRow> {
    const row = await this.get(id);
    if (row === undefined) throw new Error(`user ${id} vanished after insert`);
    return row;
  }
}
