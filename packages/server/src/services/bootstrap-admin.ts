// First start: when no user exists, create `admin` with MIGRATEKIT_ADMIN_PASSWORD or a random password. The
// caller prints the random password once (to the terminal, never to the log).
import { newId } from '@migratekit/core';
import type { UserRepository } from '@migratekit/db';
import { hashPassword } from '../security/password-hasher';
import { randomPassword } from '../security/opaque-token';

export const BOOTSTRAP_ADMIN_USERNAME = 'admin';

export type BootstrapResult =
  | { created: false }
  | { created: true; userId: string; username: string; password: string; passwordSource: 'env' | 'generated' };

export async function bootstrapAdmin(
  users: UserRepository,
  configuredPassword: string | undefined,
): Promise<BootstrapResult> {
  if ((await users.count()) > 0) return { created: false };
  const password = configuredPassword ?? randomPassword();
  const id = newId('usr');
  await users.insert({
    id,
    username: BOOTSTRAP_ADMIN_USERNAME,
    password_hash: await hashPassword(password),
    role: 'admin',
    is_active: true,
  });
  return {
    created: true,
    userId: id,
    username: BOOTSTRAP_ADMIN_USERNAME,
    password,
    passwordSource: configuredPassword === undefined ? 'generated' : 'env',
  };
}
