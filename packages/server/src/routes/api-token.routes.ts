import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { IdParams } from '../http/schemas';

const Nullable = (format: string) => Type.Union([Type.String({ format }), Type.Null()]);

const ApiTokenView = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  name: Type.String(),
  token_prefix: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  expires_at: Nullable('date-time'),
  last_used_at: Nullable('date-time'),
  revoked_at: Nullable('date-time'),
});

const CreatedApiToken = Type.Composite([
  ApiTokenView,
  Type.Object({ token: Type.String({ description: 'The bearer value. Shown only in this response; store it now.' }) }),
]);

const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Admin only: the owner' })),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  { all: Type.Optional(Type.Boolean({ description: "Admin only: every user's tokens", default: false })) },
  { additionalProperties: false },
);

export const apiTokenRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['api-tokens'];
  // Any role may manage its own tokens: a token carries the owner's role, so it grants nothing new.
  const self = { minRole: 'viewer' as const };

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/api-tokens',
    {
      schema: {
        tags,
        summary: 'List your API tokens (admins: all with ?all=true)',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(ApiTokenView) }) },
      },
    },
    async (request) => ({ items: await services.apiTokens.list(principalOf(request), request.query.all === true) }),
  );

  app.post<{ Body: Static<typeof CreateTokenBody> }>(
    '/api/v1/api-tokens',
    {
      config: self,
      schema: {
        tags,
        summary: 'Create an API token (the value is returned once)',
        body: CreateTokenBody,
        response: { 201: CreatedApiToken },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const created = await services.apiTokens.create(principal, {
        name: request.body.name,
        ...(request.body.expires_in_days === undefined ? {} : { expiresInDays: request.body.expires_in_days }),
        ...(request.body.user_id === undefined ? {} : { userId: request.body.user_id }),
      });
      await services.audit.record({
        actor: principal,
        action: 'api_token.create',
        targetType: 'api_token',
        targetId: created.id,
        details: { name: created.name, user_id: created.user_id },
        requestId: request.id,
      });
      return reply.code(201).send(created);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/api-tokens/:id',
    {
      config: self,
      schema: {
        tags,
        summary: 'One API token: last use, expiry, revocation (never the value)',
        params: IdParams,
        response: { 200: ApiTokenView },
      },
    },
    async (request) => services.apiTokens.get(principalOf(request), request.params.id),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/api-tokens/:id',
    {
      config: self,
      schema: { tags, summary: 'Revoke an API token', params: IdParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const revoked = await services.apiTokens.revoke(principal, request.params.id);
      await services.audit.record({
        actor: principal,
        action: 'api_token.revoke',
        targetType: 'api_token',
        targetId: revoked.id,
        details: { name: revoked.name, user_id: revoked.user_id },
        requestId: request.id,
      });
      return reply.code(204).send();
    },
  );
};
