import { contextStatuses } from '@migratekit/core';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { IdParams, StatusEnum } from '../http/schemas';
import type { AuditContext } from '../services/audit.service';

const NullableString = Type.Union([Type.String(), Type.Null()]);

const CredentialView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  vcenter_host: Type.String(),
  username: Type.String(),
  has_password: Type.Boolean({ description: 'The password itself is never returned' }),
  datacenter: NullableString,
  is_active: Type.Boolean(),
  is_default: Type.Boolean(),
  last_used: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  usage_count: Type.Integer(),
  created_by: NullableString,
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  vcenter_host: Type.String({ minLength: 1, maxLength: 255, description: 'host, host:port or https://host/sdk' }),
  username: Type.String({ minLength: 1, maxLength: 255 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  datacenter: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
  is_active: Type.Optional(Type.Boolean()),
};

const CreateBody = Type.Object(
  { ...fields, is_default: Type.Optional(Type.Boolean({ description: 'Defaults to true for the first credential' })) },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    name: Type.Optional(fields.name),
    vcenter_host: Type.Optional(fields.vcenter_host),
    username: Type.Optional(fields.username),
    password: Type.Optional(fields.password),
    datacenter: fields.datacenter,
    is_active: fields.is_active,
  },
  { additionalProperties: false, minProperties: 1 },
);

const UsageView = Type.Object({
  credential_id: Type.String(),
  usage_count: Type.Integer(),
  last_used: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  contexts_total: Type.Integer(),
  contexts: Type.Array(
    Type.Object({ context_id: Type.String(), vm_name: Type.String(), current_status: StatusEnum(contextStatuses) }),
  ),
});

const DeleteQuery = Type.Object(
  { force: Type.Optional(Type.Boolean({ default: false, description: 'Delete even while managed VMs use it' })) },
  { additionalProperties: false },
);

function auditContext(request: FastifyRequest): AuditContext {
  return { principal: principalOf(request), requestId: request.id };
}

// Reads for every role (discovery needs to pick a credential); changes for admins only: a credential decides
// which vCenter the product acts on and with whose rights.
export const vmwareCredentialRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['vmware-credentials'];
  const admin = { minRole: 'admin' as const };
  const base = '/api/v1/vmware-credentials';

  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'List vCenter credentials',
        response: { 200: Type.Object({ items: Type.Array(CredentialView) }) },
      },
    },
    async () => ({
      items: await services.vmwareCredentials.list(),
    }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'Get a vCenter credential (without its password)',
        params: IdParams,
        response: { 200: CredentialView },
      },
    },
    async (request) => services.vmwareCredentials.get(request.params.id),
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    base,
    {
      config: admin,
      schema: { tags, summary: 'Create a vCenter credential', body: CreateBody, response: { 201: CredentialView } },
    },
    async (request, reply) =>
      reply.code(201).send(await services.vmwareCredentials.create(request.body, auditContext(request))),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBody> }>(
    `${base}/:id`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'Update a vCenter credential (omit password to keep it)',
        params: IdParams,
        body: UpdateBody,
        response: { 200: CredentialView },
      },
    },
    async (request) => services.vmwareCredentials.update(request.params.id, request.body, auditContext(request)),
  );

  app.delete<{ Params: Static<typeof IdParams>; Querystring: Static<typeof DeleteQuery> }>(
    `${base}/:id`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete a vCenter credential (409 while managed VMs use it, unless force=true)',
        params: IdParams,
        querystring: DeleteQuery,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await services.vmwareCredentials.delete(request.params.id, auditContext(request), request.query.force === true);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    `${base}/:id/usage`,
    {
      schema: {
        tags,
        summary: 'How much a credential is used: counter, last use and the managed VMs that rely on it',
        params: IdParams,
        response: { 200: UsageView },
      },
    },
    async (request) => services.vmwareCredentials.usage(request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    `${base}/:id/set-default`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'Make this the default credential',
        params: IdParams,
        response: { 200: CredentialView },
      },
    },
    async (request) => services.vmwareCredentials.setDefault(request.params.id, auditContext(request)),
  );
};
