import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app-context';
import { principalOf, SESSION_COOKIE } from '../http/auth-hook';
import { UserView } from './user.routes';

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const PasswordBody = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: 1024 }),
    new_password: Type.String({ minLength: 8, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const Me = Type.Object({
  user: UserView,
  auth: Type.Union([Type.Literal('session'), Type.Literal('token')]),
});

const LoginResponse = Type.Object({ user: UserView, expires_at: Type.String({ format: 'date-time' }) });

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    // Secure whenever the client reached us over HTTPS (directly, or through a trusted proxy).
    secure: request.protocol === 'https',
    maxAge: maxAgeSeconds,
  });
}

export const authRoutes: RoutePlugin = (app, { services, deps }) => {
  app.post<{ Body: Static<typeof LoginBody> }>(
    '/api/v1/auth/login',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Log in with username and password; sets an HttpOnly session cookie',
        security: [],
        body: LoginBody,
        response: { 200: LoginResponse },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      try {
        const result = await services.auth.login(username, password, request.ip);
        setSessionCookie(request, reply, result.sessionToken, Math.floor(deps.config.sessionTtlMs / 1000));
        await services.audit.record({
          actor: username,
          action: 'auth.login',
          targetType: 'user',
          targetId: result.user.id,
          requestId: request.id,
        });
        const user = await services.users.get(result.user.id);
        return { user, expires_at: result.expiresAt.toISOString() };
      } catch (error) {
        // The username is recorded so brute force shows up in the audit trail; the password never is.
        await services.audit.record({
          actor: username,
          action: 'auth.login',
          outcome: 'failure',
          requestId: request.id,
        });
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { minRole: 'viewer' },
      schema: { tags: ['auth'], summary: 'End the current session', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await services.auth.logout(principal);
      await services.audit.record({
        actor: principal,
        action: 'auth.logout',
        targetType: 'user',
        targetId: principal.userId,
        requestId: request.id,
      });
      reply.clearCookie(SESSION_COOKIE, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    { schema: { tags: ['auth'], summary: 'The authenticated user', response: { 200: Me } } },
    async (request) => {
      const principal = principalOf(request);
      return { user: await services.users.get(principal.userId), auth: principal.via };
    },
  );

  app.post<{ Body: Static<typeof PasswordBody> }>(
    '/api/v1/auth/password',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['auth'],
        summary: 'Change your own password',
        body: PasswordBody,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await services.users.changeOwnPassword(
        principal.userId,
        request.body.current_password,
        request.body.new_password,
        principal.via === 'session' ? principal.credentialId : undefined,
      );
      await services.audit.record({
        actor: principal,
        action: 'user.password_change',
        targetType: 'user',
        targetId: principal.userId,
        requestId: request.id,
      });
      return reply.code(204).send();
    },
  );
};
