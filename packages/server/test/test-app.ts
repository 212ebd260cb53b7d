// Builds the real app on a fresh, migrated SQLite database with a ManualClock and a captured log stream, plus
// helpers to log in and to create users of each role. Used by the server's HTTP tests.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '@migratekit/core';
import { createRepositories, type Repositories } from '@migratekit/db';
import { createSqliteTestDatabase, type TestDatabase } from '@migratekit/db/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type BuildAppOptions } from '../src/app';
import type { AppContext } from '../src/app-context';
import type { ServerAdapters } from '../src/composition/adapters';
import { compose, type Composition } from '../src/composition/compose';
import { createLogger } from '../src/logging/logger';
import { testCertificate } from './test-certificate';
import { SecretBox } from '../src/security/secret-box';
import type { Role } from '../src/security/roles';
import { bootstrapAdmin } from '../src/services/bootstrap-admin';
import type { LoginThrottleOptions } from '../src/services/login-throttle';

export const ADMIN_PASSWORD = 'admin-test-password';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  composition: Composition;
  /** The adapters the services were built from (events, JobLog, hub, repositories). */
  deps: ServerAdapters;
  clock: ManualClock;
  database: TestDatabase;
  repositories: Repositories;
  /** Every log line the app wrote, as raw JSON text. */
  logs: string[];
  /** Authorization headers of the bootstrap admin (an API token). */
  admin: Record<string, string>;
  /** Creates a user with this role and returns bearer headers for it. */
  userWithRole(role: Role): Promise<Record<string, string>>;
  /** Logs in and returns the session cookie header. */
  login(username: string, password: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface TestAppOptions extends BuildAppOptions {
  loginThrottle?: LoginThrottleOptions;
  sseHeartbeatMs?: number;
  trustProxy?: boolean;
}

export function sessionCookieOf(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'mk_session');
  assert.ok(cookie, 'response sets mk_session');
  return `mk_session=${cookie.value}`;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createSqliteTestDatabase();
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const logs: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logs.push(line) } });
  const repositories = createRepositories(database.db, clock);
  const composition = compose({
    config: {
      bodyLimitBytes: 64 * 1024,
      sessionTtlMs: 60 * 60 * 1000,
      sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
      trustProxy: options.trustProxy ?? false,
    },
    engine: database.engine,
    repositories,
    clock,
    logger,
    secrets: new SecretBox(randomBytes(32)),
    certificate: await testCertificate(),
    settings: options.loginThrottle === undefined ? {} : { loginThrottle: options.loginThrottle },
  });
  const { app, ctx } = await buildApp(composition, options);
  const bootstrap = await bootstrapAdmin(repositories.users, ADMIN_PASSWORD);
  assert.ok(bootstrap.created);
  const adminToken = await ctx.services.apiTokens.issue(bootstrap.userId, 'test admin');
  const admin = { authorization: `Bearer ${adminToken.token}` };

  const login = async (username: string, password: string): Promise<Record<string, string>> => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    assert.equal(response.statusCode, 200, response.body);
    return { cookie: sessionCookieOf(response) };
  };

  let users = 0;
  const userWithRole = async (role: Role): Promise<Record<string, string>> => {
    users += 1;
    const user = await ctx.services.users.create({ username: `${role}${users}`, password: 'password-123', role });
    const token = await ctx.services.apiTokens.issue(user.id, 'test');
    return { authorization: `Bearer ${token.token}` };
  };

  return {
    app,
    ctx,
    composition,
    deps: composition.adapters,
    clock,
    database,
    repositories,
    logs,
    admin,
    userWithRole,
    login,
    close: async () => {
      await app.close();
      await composition.close();
      await database.drop();
    },
  };
}
