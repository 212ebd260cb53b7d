// Replications (SPEC §5.1-5.2): add VMs to management (single and bulk, start_replication defaulting to
// true), list and follow replication jobs, cancel one.
import { isMigrateKitError, replicationJobStatuses } from '@migratekit/core';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app-context';
import { requireReplication } from '../agents/agent-services';
import { errorBody } from '../http/error-handler';
import { IdParams, PagingQuery, StatusEnum } from '../http/schemas';
import {
  AddOutcome,
  BulkAddResponse,
  ConflictResponse,
  PageOf,
  ReplicationJob,
  ReplicationJobDetail,
} from '../replication/replication.schemas';

const AddBody = Type.Object(
  {
    vm_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'VMware instance UUID' })),
    vmware_vm_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Same as vm_id' })),
    context_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Replicate this managed VM (context first, SPEC §3)' }),
    ),
    vm_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 500 })),
    credential_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    start_replication: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    context_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    status: Type.Optional(StatusEnum(replicationJobStatuses)),
    ...PagingQuery,
  },
  { additionalProperties: false },
);

/** A duplicate or busy VM answers our error envelope plus SPEC §5.1's top-level fields. */
function conflictBody(request: FastifyRequest, error: unknown): Record<string, unknown> | undefined {
  if (!isMigrateKitError(error) || (error.code !== 'MKE_VM_ALREADY_MANAGED' && error.code !== 'MKE_JOB_ACTIVE'))
    return undefined;
  const existing = error.details?.existing_context_id;
  return {
    ...errorBody(error.code, error.message, request, error.details === undefined ? {} : { details: error.details }),
    details: error.message,
    ...(typeof existing === 'string' ? { existing_context_id: existing } : {}),
  };
}

export const replicationRoutes: RoutePlugin = (app, { deps }) => {
  const tags = ['replications'];

  app.post<{ Body: Static<typeof AddBody> }>(
    '/api/v1/replications',
    {
      schema: {
        tags,
        summary: 'Add VMs to management and (by default) start their replication',
        body: AddBody,
        response: { 200: BulkAddResponse, 201: AddOutcome, 202: AddOutcome, 409: ConflictResponse },
      },
    },
    async (request, reply: FastifyReply) => {
      const { management } = requireReplication(deps.agents);
      const body = request.body;
      const owner = request.principal?.username;
      if (body.vm_ids !== undefined) {
        const results = [];
        for (const vmId of body.vm_ids) {
          try {
            const outcome = await management.add({
              vm_id: vmId,
              credential_id: body.credential_id,
              start_replication: body.start_replication,
              owner,
            });
            results.push({
              vm_id: vmId,
              ok: true,
              context_id: outcome.context.context_id,
              job_id: outcome.job?.id ?? null,
              created: outcome.created,
            });
          } catch (error) {
            if (!isMigrateKitError(error)) throw error;
            results.push({
              vm_id: vmId,
              ok: false,
              error: {
                code: error.code,
                message: error.message,
                ...(error.details === undefined ? {} : { details: error.details }),
              },
              existing_context_id: (error.details?.existing_context_id as string | undefined) ?? null,
            });
          }
        }
        return reply.code(200).send({ results });
      }
      if (body.context_id !== undefined) {
        try {
          const job = await requireReplication(deps.agents).replication.start(body.context_id, {
            ...(owner === undefined ? {} : { owner }),
          });
          const context = await deps.repositories.contexts.require(body.context_id);
          return reply.code(202).send({
            context_id: context.context_id,
            vm_name: context.vm_name,
            current_status: context.current_status,
            job_id: job.id,
            replication_type: job.replication_type,
            created: false,
          });
        } catch (error) {
          const conflict = conflictBody(request, error);
          if (conflict === undefined) throw error;
          return reply.code(409).send({ ...conflict, existing_context_id: body.context_id });
        }
      }
      const vmId = body.vm_id ?? body.vmware_vm_id;
      if (vmId === undefined)
        return reply
          .code(400)
          .send(errorBody('MKE_VALIDATION', 'body.vm_id or body.vm_ids is required', request, { field: 'body.vm_id' }));
      try {
        const outcome = await management.add({
          vm_id: vmId,
          credential_id: body.credential_id,
          start_replication: body.start_replication,
          owner,
        });
        return reply.code(outcome.created ? 201 : 202).send({
          context_id: outcome.context.context_id,
          vm_name: outcome.context.vm_name,
          current_status: outcome.context.current_status,
          job_id: outcome.job?.id ?? null,
          replication_type: outcome.job?.replication_type ?? null,
          created: outcome.created,
        });
      } catch (error) {
        const conflict = conflictBody(request, error);
        if (conflict === undefined) throw error;
        return reply.code(409).send(conflict);
      }
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/replications',
    {
      schema: {
        tags,
        summary: 'List replication jobs',
        querystring: ListQuery,
        response: { 200: PageOf(ReplicationJob) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await deps.repositories.replicationJobs.list(
        {
          ...(q.context_id === undefined ? {} : { contextId: q.context_id }),
          ...(q.status === undefined ? {} : { status: [q.status] }),
        },
        { limit: q.limit ?? 50, offset: q.offset ?? 0 },
      );
      return { ...page, limit: q.limit ?? 50, offset: q.offset ?? 0 };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/replications/:id',
    {
      schema: {
        tags,
        summary: 'A replication job with its progress, steps, per-disk rows and the live agent report',
        params: IdParams,
        response: { 200: ReplicationJobDetail },
      },
    },
    async (request) => {
      const job = await deps.repositories.replicationJobs.require(request.params.id);
      const disks = await deps.repositories.vmDisks.listByJob(job.id);
      const steps = (await deps.joblog.getJob(job.id))?.steps ?? [];
      // While it runs: the agent's last report, with throughput and per-disk bytes.
      const live = deps.agents?.replication?.liveProgress(job.id) ?? null;
      return { ...job, disks, steps, live };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/replications/:id',
    { schema: { tags, summary: 'Cancel a replication job', params: IdParams, response: { 200: ReplicationJob } } },
    async (request) => requireReplication(deps.agents).replication.cancel(request.params.id),
  );
};
