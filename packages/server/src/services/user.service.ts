// User management for admins. The last active admin can be neither demoted, deactivated nor deleted, so the
// installation can never lock itself out. A password change or deactivation ends the user's sessions.
import { MigrateKitError, newId } from '@migratekit/core';
import type { SessionRepository, UserRepository, UserRow } from '@migratekit/db';
import { hashPassword, verifyPassword } from '../security/password-hasher';
import type { Role } from '../security/roles';

export interface UserServiceDeps {
  users: UserRepository;
  sessions: SessionRepository;
  /**
   * Called after a user's password changed: the server removes the printed first-admin password file
   * (FIRST_ADMIN_PASSWORD_FILE) once the first admin's password is no longer the one it holds.
   */
  onPasswordChanged?: (user: UserRow) => void;
}

export interface UserView {
  id: string;
  username: string;
  role: string;
  is_active: boolean;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface CreateUserInput {
  username: string;
  password: string;
  role: Role;
}

export interface UpdateUserInput {
  role?: Role;
  password?: string;
  is_active?: boolean;
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    is_active: row.is_active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    last_login_at: row.last_login_at === null ? null : row.last_login_at.toISOString(),
  };
}

export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  async list(): Promise<UserView[]> {
    return (await this.deps.users.list()).map(toUserView);
  }

  async get(id: string): Promise<UserView> {
    return toUserView(await this.require(id));
  }

  async create(input: CreateUserInput): Promise<UserView> {
    if ((await this.deps.users.getByUsername(input.username)) !== undefined) {
      throw new MigrateKitError('MKE_DUPLICATE', {
        message: `User ${input.username} already exists`,
        field: 'body.username',
      });
    }
    const row = await this.deps.users.insert({
      id: newId('usr'),
      username: input.username,
      password_hash: await hashPassword(input.password),
      role: input.role,
      is_active: true,
    });
    return toUserView(row);
  }

  async update(id: string, input: UpdateUserInput): Promise<UserView> {
    const current = await this.require(id);
    const losesAdmin =
      current.role === 'admin' &&
      current.is_active &&
      ((input.role !== undefined && input.role !== 'admin') || input.is_active === false);
    if (losesAdmin) await this.assertNotLastAdmin();
    const changes = {
      ...(input.role === undefined ? {} : { role: input.role }),
      ...(input.is_active === undefined ? {} : { is_active: input.is_active }),
      ...(input.password === undefined ? {} : { password_hash: await hashPassword(input.password) }),
    };
    const row = await this.deps.users.update(id, changes);
    if (row === undefined) throw new MigrateKitError('MKE_NOT_FOUND', { message: `User ${id} not found` });
    if (input.password !== undefined || input.is_active === false) await this.deps.sessions.deleteForUser(id);
    if (input.password !== undefined) this.deps.onPasswordChanged?.(row);
    return toUserView(row);
  }

  /** Changes the caller's password and ends their other sessions (the one asking may be kept). */
  async changeOwnPassword(
    userId: string,
    currentPassword: string,
    newPassword: string,
    keepSessionId?: string,
  ): Promise<void> {
    const user = await this.require(userId);
    if (!(await verifyPassword(currentPassword, user.password_hash))) {
      throw new MigrateKitError('MKE_INVALID_CREDENTIALS', {
        message: 'Current password is wrong',
        field: 'body.current_password',
      });
    }
    await this.deps.users.update(userId, { password_hash: await hashPassword(newPassword) });
    await this.deps.sessions.deleteForUser(userId, keepSessionId);
    this.deps.onPasswordChanged?.(user);
  }

  async delete(id: string): Promise<UserView> {
    const current = await this.require(id);
    if (current.role === 'admin' && current.is_active) await this.assertNotLastAdmin();
    await this.deps.users.delete(id);
    return toUserView(current);
  }

  private async require(id: string): Promise<UserRow> {
    const row = await this.deps.users.get(id);
    if (row === undefined) throw new MigrateKitError('MKE_NOT_FOUND', { message: `User ${id} not found` });
    return row;
  }

  private async assertNotLastAdmin(): Promise<void> {
    if ((await this.deps.users.countActiveAdmins()) <= 1) {
      throw new MigrateKitError('MKE_CONFLICT', {
        message: 'The last active admin cannot be removed, demoted or deactivated',
      });
    }
  }
}
