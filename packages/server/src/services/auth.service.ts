// Logins, sessions and bearer tokens. Only hashes of session ids and tokens are stored; a cookie or token
// value is known to the client alone.
import { MigrateKitError, type Clock } from '@migratekit/core';
import type { ApiTokenRepository, SessionRepository, UserRepository, UserRow } from '@migratekit/db';
import { burnPasswordCheck, verifyPassword } from '../security/password-hasher';
import { hashToken, newOpaqueToken, SESSION_PREFIX } from '../security/opaque-token';
import { isRole, type Principal } from '../security/roles';
import type { LoginThrottle } from './login-throttle';

export interface AuthServiceDeps {
  users: UserRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  clock: Clock;
  throttle: LoginThrottle;
  sessionTtlMs: number;
}

export interface LoginResult {
  user: UserRow;
  sessionToken: string;
  expiresAt: Date;
}

// Writing last_seen on every request would turn each read into a write; once a minute is enough.
const TOUCH_INTERVAL_MS = 60_000;

export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  async login(username: string, password: string, clientIp: string): Promise<LoginResult> {
    const { throttle, users, sessions, clock } = this.deps;
    const wait = throttle.retryAfterSeconds(clientIp, username);
    if (wait > 0) {
      throw new MigrateKitError('MKE_RATE_LIMITED', {
        message: `Too many failed logins; try again in ${wait} s`,
        details: { retry_after_seconds: wait },
      });
    }
    const user = await users.getByUsername(username);
    const valid =
      user === undefined
        ? (await burnPasswordCheck(password), false)
        : await verifyPassword(password, user.password_hash);
    if (user === undefined || !valid || !user.is_active || !isRole(user.role)) {
      throttle.recordFailure(clientIp, username);
      throw new MigrateKitError('MKE_INVALID_CREDENTIALS');
    }
    throttle.recordSuccess(clientIp, username);
    // Housekeeping at the natural moment: expired sessions are useless rows.
    await sessions.deleteExpired();
    const now = clock.now();
    const sessionToken = newOpaqueToken(SESSION_PREFIX);
    const expiresAt = new Date(now.getTime() + this.deps.sessionTtlMs);
    await sessions.insert({
      id: hashToken(sessionToken),
      user_id: user.id,
      created_at: now,
      expires_at: expiresAt,
      last_seen_at: now,
    });
    await users.recordLogin(user.id);
    return { user, sessionToken, expiresAt };
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.via === 'session') await this.deps.sessions.delete(principal.credentialId);
  }

  async authenticateSession(sessionToken: string): Promise<Principal | null> {
    const now = this.deps.clock.now();
    const id = hashToken(sessionToken);
    const session = await this.deps.sessions.getValid(id);
    if (session === undefined) return null;
    const principal = await this.principalFor(session.user_id, 'session', id);
    if (principal === null) return null;
    if (now.getTime() - session.last_seen_at.getTime() >= TOUCH_INTERVAL_MS) {
      await this.deps.sessions.touch(id, new Date(now.getTime() + this.deps.sessionTtlMs));
    }
    return principal;
  }

  async authenticateToken(token: string): Promise<Principal | null> {
    const now = this.deps.clock.now();
    const row = await this.deps.apiTokens.getUsableByHash(hashToken(token));
    if (row === undefined) return null;
    const principal = await this.principalFor(row.user_id, 'token', row.id);
    if (principal === null) return null;
    if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= TOUCH_INTERVAL_MS) {
      await this.deps.apiTokens.markUsed(row.id);
    }
    return principal;
  }

  private async principalFor(userId: string, via: Principal['via'], credentialId: string): Promise<Principal | null> {
    const user = await this.deps.users.get(userId);
    if (user === undefined || !user.is_active || !isRole(user.role)) return null;
    return { userId: user.id, username: user.username, role: user.role, via, credentialId };
  }
}
