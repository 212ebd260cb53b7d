// Every /api/v1 route requires a session cookie or a bearer API token unless its route config says
// `auth: 'public'`; other paths (docs, metrics) opt in with `auth: 'required'`. The role check defaults to
// viewer for reads and operator for writes, and a route raises it with `minRole`. Deny by default means a
// route plugin added later is protected without doing anything.
import { MigrateKitError } from '@migratekit/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../services/auth.service';
import { roleAllows, type Principal, type Role } from '../security/roles';

export const SESSION_COOKIE = 'mk_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: 'public' | 'required';
    minRole?: Role;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function needsAuth(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  // No route matched: the not-found handler answers 404 without revealing more.
  if (url === undefined) return false;
  const mode = request.routeOptions.config.auth;
  if (mode === 'public') return false;
  return mode === 'required' || url.startsWith('/api/v1/');
}

/** The principal on a request that passed the auth hook; throws if a route forgot to require auth. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new MigrateKitError('MKE_UNAUTHENTICATED');
  return request.principal;
}

export function installAuthHook(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (!needsAuth(request)) return;
    const header = request.headers.authorization;
    let principal: Principal | null = null;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (match?.[1] === undefined)
        throw new MigrateKitError('MKE_UNAUTHENTICATED', { message: 'Authorization header must be "Bearer <token>"' });
      principal = await auth.authenticateToken(match[1]);
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie !== undefined) principal = await auth.authenticateSession(cookie);
    }
    if (principal === null) throw new MigrateKitError('MKE_UNAUTHENTICATED');
    request.principal = principal;
    const required = request.routeOptions.config.minRole ?? (READ_METHODS.has(request.method) ? 'viewer' : 'operator');
    if (!roleAllows(principal.role, required)) {
      throw new MigrateKitError('MKE_FORBIDDEN', {
        message: `This action needs the ${required} role; you are ${principal.role}`,
      });
    }
  });
}
