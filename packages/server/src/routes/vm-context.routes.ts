// VM contexts (docs/model.md#identity): the VM-centric list, one context with its disks, NICs, volumes and jobs, a
// manual "replicate now", and deletion with every row, NBD export and CloudStack volume of the VM.
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { IdParams, PagingQuery } from '../http/schemas';
import { PageOf, ReplicationJob, VmContext, VmContextDetail } from '../replication/replication.schemas';

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...PagingQuery,
  },
  { additionalProperties: false },
);

export const vmContextRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['vm-contexts'];

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/vm-contexts',
    { schema: { tags, summary: 'List managed VMs', querystring: ListQuery, response: { 200: PageOf(VmContext) } } },
    async (request) => {
      const q = request.query;
      return services.vmContexts.list({
        status: q.status,
        search: q.search,
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/vm-contexts/:id',
    {
      schema: {
        tags,
        summary: 'A managed VM: context, disks, NICs, volumes and jobs',
        params: IdParams,
        response: { 200: VmContextDetail },
      },
    },
    async (request) => services.vmContexts.details(request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/vm-contexts/:id/replicate',
    {
      schema: {
        tags,
        summary: 'Start a replication of this VM now',
        params: IdParams,
        response: { 202: ReplicationJob },
      },
    },
    async (request, reply) => {
      const job = await services.replication.start(request.params.id, {
        ...(request.principal === null ? {} : { owner: request.principal.username }),
      });
      return reply.code(202).send(job);
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/vm-contexts/:id',
    {
      schema: {
        tags,
        summary: 'Delete a managed VM with its volumes (refused while a job runs)',
        params: IdParams,
        response: { 200: Type.Object({ volumes_deleted: Type.Integer() }) },
      },
    },
    async (request) => services.vmManagement.delete(request.params.id),
  );
};
