// VM contexts (SPEC §3): the VM-centric list, one context with its disks, NICs, volumes and jobs, a manual
// "replicate now", and deletion with every row, NBD export and CloudStack volume of the VM.
import type { ContextStatus } from '@migratekit/core';
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { requireReplication } from '../agents/agent-services';
import { IdParams, PagingQuery } from '../http/schemas';
import { withContextSummaries } from '../replication/context-views';
import { PageOf, ReplicationJob, VmContext, VmContextDetail } from '../replication/replication.schemas';

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...PagingQuery,
  },
  { additionalProperties: false },
);

export const vmContextRoutes: RoutePlugin = (app, { deps }) => {
  const tags = ['vm-contexts'];
  const repos = deps.repositories;

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/vm-contexts',
    { schema: { tags, summary: 'List managed VMs', querystring: ListQuery, response: { 200: PageOf(VmContext) } } },
    async (request) => {
      const q = request.query;
      const page = await repos.contexts.list(
        {
          ...(q.status === undefined ? {} : { status: q.status.split(',') as ContextStatus[] }),
          ...(q.search === undefined ? {} : { search: q.search }),
        },
        { limit: q.limit ?? 50, offset: q.offset ?? 0 },
      );
      const items = await withContextSummaries(repos, page.items);
      return { items, total: page.total, limit: q.limit ?? 50, offset: q.offset ?? 0 };
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
    async (request) => {
      const [context] = await withContextSummaries(repos, [await repos.contexts.require(request.params.id)]);
      if (context === undefined) throw new Error('withContextSummaries returned no row for one context');
      const disks = await repos.vmDisks.listLatestByContext(context.context_id);
      const volumes = await repos.cloudstackVolumes.listByContext(context.context_id);
      const jobs = await repos.replicationJobs.list({ contextId: context.context_id }, { limit: 50 });
      return {
        ...context,
        disks,
        networks: disks[0]?.nics ?? [],
        volumes,
        jobs: jobs.items,
      };
    },
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
      const job = await requireReplication(deps.agents).replication.start(request.params.id, {
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
    async (request) => requireReplication(deps.agents).management.delete(request.params.id),
  );
};
