import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app-context';
import { cloudStackPaths } from '../http/legacy-paths';
import { principalOf } from '../http/auth-hook';
import { IdParams } from '../http/schemas';
import type { AuditContext } from '../services/audit.service';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const ID_FIELDS = [
  'zone_id',
  'domain_id',
  'template_id',
  'service_offering_id',
  'disk_offering_id',
  'server_vm_id',
  'default_network_id',
] as const;

const ConfigView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  api_url: Type.String({ description: 'Normalised endpoint, http(s)://host:port/client/api' }),
  api_key: Type.String(),
  has_secret_key: Type.Boolean({ description: 'The secret key itself is never returned' }),
  zone_id: NullableString,
  domain_id: NullableString,
  template_id: NullableString,
  service_offering_id: NullableString,
  disk_offering_id: NullableString,
  server_vm_id: Type.Union([Type.String(), Type.Null()], { description: 'The CloudStack VM this server runs in' }),
  default_network_id: NullableString,
  is_active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const OptionalId = Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()]));
const idFields = Object.fromEntries(ID_FIELDS.map((field) => [field, OptionalId])) as Record<
  (typeof ID_FIELDS)[number],
  typeof OptionalId
>;
const Name = Type.String({ minLength: 1, maxLength: 100 });
const ApiUrl = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'host:port of the management server; /client/api is added',
});
const ApiKey = Type.String({ minLength: 1, maxLength: 1024 });
const SecretKey = Type.String({ minLength: 1, maxLength: 1024 });

const CreateBody = Type.Object(
  {
    name: Name,
    api_url: ApiUrl,
    api_key: ApiKey,
    secret_key: SecretKey,
    ...idFields,
    is_active: Type.Optional(
      Type.Boolean({
        description:
          'Make this the active configuration (default: only when none is active; switching is recorded in the audit log)',
      }),
    ),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    api_url: Type.Optional(ApiUrl),
    api_key: Type.Optional(ApiKey),
    secret_key: Type.Optional(SecretKey),
    ...idFields,
  },
  { additionalProperties: false, minProperties: 1 },
);

function auditContext(request: FastifyRequest): AuditContext {
  return { principal: principalOf(request), requestId: request.id };
}

// Under /api/v1/cloudstack, with the deprecated /api/v1/ossea alias (http/legacy-paths.ts). Writes are admin-only, like credentials.
export const cloudStackConfigRoutes: RoutePlugin = cloudStackPaths((app, { services }, base) => {
  const tags = ['cloudstack-config'];
  const admin = { minRole: 'admin' as const };
  const configs = services.cloudStackConfigs;

  app.get(
    `${base}/config`,
    { schema: { tags, summary: 'The active CloudStack configuration', response: { 200: ConfigView } } },
    async () => configs.getActive(),
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    `${base}/config`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a CloudStack configuration (active if it is the first one or is_active is true)',
        body: CreateBody,
        response: { 201: ConfigView },
      },
    },
    async (request, reply) => reply.code(201).send(await configs.create(request.body, auditContext(request))),
  );

  app.put<{ Body: Static<typeof UpdateBody> }>(
    `${base}/config`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'Update the active configuration (omit secret_key to keep it)',
        body: UpdateBody,
        response: { 200: ConfigView },
      },
    },
    async (request) => configs.updateActive(request.body, auditContext(request)),
  );

  app.get(
    `${base}/configs`,
    {
      schema: {
        tags,
        summary: 'List CloudStack configurations',
        response: { 200: Type.Object({ items: Type.Array(ConfigView) }) },
      },
    },
    async () => ({
      items: await configs.list(),
    }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    `${base}/configs/:id`,
    { schema: { tags, summary: 'Get a CloudStack configuration', params: IdParams, response: { 200: ConfigView } } },
    async (request) => configs.get(request.params.id),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBody> }>(
    `${base}/configs/:id`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'Update a CloudStack configuration',
        params: IdParams,
        body: UpdateBody,
        response: { 200: ConfigView },
      },
    },
    async (request) => configs.update(request.params.id, request.body, auditContext(request)),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    `${base}/configs/:id/activate`,
    {
      config: admin,
      schema: { tags, summary: 'Make this the active configuration', params: IdParams, response: { 200: ConfigView } },
    },
    async (request) => configs.activate(request.params.id, auditContext(request)),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    `${base}/configs/:id`,
    {
      config: admin,
      schema: { tags, summary: 'Delete a CloudStack configuration', params: IdParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await configs.delete(request.params.id, auditContext(request));
      return reply.code(204).send();
    },
  );
});
