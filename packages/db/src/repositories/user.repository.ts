// Users of the API and dashboard. Password hashes are produced and checked by the server; this file only
// stores them.
import { MigrateKitError } from '@migratekit/core';
import type { NewRow, Row } from '../schema';
import { affected, isUniqueViolation, type RepositoryDeps } from './repository-deps';

export type UserRow = Row<'users'>;
export type NewUser = Omit<NewRow<'users'>, 'created_at' | 'updated_at' | 'last_login_at'>;

export interface UserChanges {
  role?: string;
  password_hash?: string;
  is_active?: boolean;
}

export class UserRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async insert(user: NewUser): Promise<UserRow> {
    const now = this.deps.clock.now();
    try {
      await this.deps.db
        .insertInto('users')
        .values({ ...user, created_at: now, updated_at: now, last_login_at: null })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new MigrateKitError('MKE_DUPLICATE', {
          message: `User ${user.username} already exists`,
          field: 'body.username',
        });
      }
      throw error;
    }
    return this.getOrThrow(user.id);
  }

  async get(id: string): Promise<UserRow | undefined> {
    return this.deps.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByUsername(username: string): Promise<UserRow | undefined> {
    return this.deps.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  async list(): Promise<UserRow[]> {
    return this.deps.db.selectFrom('users').selectAll().orderBy('username').execute();
  }

  async count(): Promise<number> {
    const result = await this.deps.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(result.n);
  }

  async countActiveAdmins(): Promise<number> {
    const result = await this.deps.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('role', '=', 'admin')
      .where('is_active', '=', true)
      .executeTakeFirstOrThrow();
    return Number(result.n);
  }

  async update(id: string, changes: UserChanges): Promise<UserRow | undefined> {
    await this.deps.db
      .updateTable('users')
      .set({ ...changes, updated_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  async recordLogin(id: string): Promise<void> {
    await this.deps.db
      .updateTable('users')
      .set({ last_login_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  /** Deletes the user; sessions and API tokens go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    return affected(await this.deps.db.deleteFrom('users').where('id', '=', id).executeTakeFirst()) > 0;
  }

  private async getOrThrow(id: string): Promise<UserRow> {
    const row = await this.get(id);
    if (row === undefined) throw new Error(`user ${id} vanished after insert`);
    return row;
  }
}
