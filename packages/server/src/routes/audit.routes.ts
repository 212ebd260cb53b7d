import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { IdParams, Page, PagingQuery } from '../http/schemas';

const AuditEvent = Type.Object({
  id: Type.String(),
  actor: Type.String(),
  actor_user_id: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target_type: Type.Union([Type.String(), Type.Null()]),
  target_id: Type.Union([Type.String(), Type.Null()]),
  vm_context_id: Type.Union([Type.String(), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

const Filter = Type.String({ minLength: 1, maxLength: 200 });
const AuditQuery = Type.Object(
  {
    action: Type.Optional(Filter),
    target_type: Type.Optional(Filter),
    target_id: Type.Optional(Filter),
    context_id: Type.Optional(Filter),
    ...PagingQuery,
  },
  { additionalProperties: false },
);

const ContextAuditQuery = Type.Object({ ...PagingQuery }, { additionalProperties: false });

export const auditRoutes: RoutePlugin = (app, { services }) => {
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/v1/audit-events',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Audit trail, newest first',
        querystring: AuditQuery,
        response: { 200: Page(AuditEvent) },
      },
    },
    async (request) => {
      const { action, target_type, target_id, context_id } = request.query;
      const limit = request.query.limit ?? 50;
      const offset = request.query.offset ?? 0;
      const page = await services.audit.list({
        limit,
        offset,
        ...(action === undefined ? {} : { action }),
        ...(target_type === undefined ? {} : { targetType: target_type }),
        ...(target_id === undefined ? {} : { targetId: target_id }),
        ...(context_id === undefined ? {} : { vmContextId: context_id }),
      });
      return { ...page, limit, offset };
    },
  );

  // One VM's decisions (failovers, rollbacks, cleanups, operator decisions on its jobs) for everyone who may see the
  // VM: the dashboard tells a VM's story with them. The full trail (logins, users, tokens) stays admin-only.
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ContextAuditQuery> }>(
    '/api/v1/vm-contexts/:id/audit-events',
    {
      schema: {
        tags: ['audit'],
        summary: "A VM context's audit events (who decided what on this VM), newest first",
        params: IdParams,
        querystring: ContextAuditQuery,
        response: { 200: Page(AuditEvent) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const offset = request.query.offset ?? 0;
      const page = await services.audit.list({ limit, offset, vmContextId: request.params.id });
      return { ...page, limit, offset };
    },
  );
};
