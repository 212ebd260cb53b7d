import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { IdParams } from '../http/schemas';
import { ROLES } from '../security/roles';

export const RoleSchema = Type.Union(
  ROLES.map((role) => Type.Literal(role)),
  {
    description: 'viewer reads; operator also runs migrations and failovers; admin also manages users and credentials',
  },
);

export const UserView = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  is_active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  last_login_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$' });
const Password = Type.String({ minLength: 8, maxLength: 1024 });

const CreateUserBody = Type.Object(
  { username: Username, password: Password, role: RoleSchema },
  { additionalProperties: false },
);
const UpdateUserBody = Type.Object(
  { role: Type.Optional(RoleSchema), password: Type.Optional(Password), is_active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);

export const userRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['users'];
  const admin = { minRole: 'admin' as const };

  app.get(
    '/api/v1/users',
    {
      config: admin,
      schema: { tags, summary: 'List users', response: { 200: Type.Object({ items: Type.Array(UserView) }) } },
    },
    async () => ({ items: await services.users.list() }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/users/:id',
    { config: admin, schema: { tags, summary: 'Get a user', params: IdParams, response: { 200: UserView } } },
    async (request) => services.users.get(request.params.id),
  );

  app.post<{ Body: Static<typeof CreateUserBody> }>(
    '/api/v1/users',
    { config: admin, schema: { tags, summary: 'Create a user', body: CreateUserBody, response: { 201: UserView } } },
    async (request, reply) => {
      const user = await services.users.create(request.body);
      await services.audit.record({
        actor: principalOf(request),
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        details: { username: user.username, role: user.role },
        requestId: request.id,
      });
      return reply.code(201).send(user);
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateUserBody> }>(
    '/api/v1/users/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change role, password or active flag',
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: UserView },
      },
    },
    async (request) => {
      const user = await services.users.update(request.params.id, request.body);
      await services.audit.record({
        actor: principalOf(request),
        action: 'user.update',
        targetType: 'user',
        targetId: user.id,
        details: {
          fields: Object.keys(request.body),
          ...(request.body.role === undefined ? {} : { role: request.body.role }),
        },
        requestId: request.id,
      });
      return user;
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/users/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete a user, their sessions and tokens',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const user = await services.users.delete(request.params.id);
      await services.audit.record({
        actor: principalOf(request),
        action: 'user.delete',
        targetType: 'user',
        targetId: user.id,
        details: { username: user.username },
        requestId: request.id,
      });
      return reply.code(204).send();
    },
  );
};
