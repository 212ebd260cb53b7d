// First start: when no user exists, create `admin` with MIGRATEKIT_ADMIN_PASSWORD or a random password. The
// caller prints the random password once (to the terminal, never to the log).
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, newId } from '@migratekit/core';
import type { UserRepository } from '@migratekit/db';
import { hashPassword } from '../security/password-hasher';
import { randomPassword } from '../security/opaque-token';

export const BOOTSTRAP_ADMIN_USERNAME = 'admin';
/** `<dataDir>/admin-password`: the generated first-admin password `migratekit dev` prints; 0600. */
export const FIRST_ADMIN_PASSWORD_FILE = 'admin-password';

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

/**
 * UserService's onPasswordChanged for a server with a data directory: once the first admin's password is
 * changed, the file holding the printed one is removed (it no longer opens anything and should not linger).
 */
export function forgetFirstAdminPassword(
  dataDir: string,
  logger: { info(fields: object, message: string): void; warn(fields: object, message: string): void },
): (user: { username: string }) => void {
  return (user) => {
    if (user.username !== BOOTSTRAP_ADMIN_USERNAME) return;
    const path = join(dataDir, FIRST_ADMIN_PASSWORD_FILE);
    try {
      unlinkSync(path);
      logger.info({ path }, 'the first admin changed the password: removed the printed password file');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        logger.warn({ path, err: errorMessage(error) }, 'could not remove the first-admin password file');
    }
  };
}
