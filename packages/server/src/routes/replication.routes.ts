// Replications (docs/model.md#discovery-and-add-to-management, #replication): add VMs to management (single and bulk,
// start_replication defaulting to true), list and follow replication jobs, cancel one.
import { isMigrateKitError, replicationJobStatuses } from '@migratekit/core';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app-context';
import { errorBody } from '../http/error-handler';
import type { AddVmOutcome, BulkAddResult } from '../replication/vm-management.service';
import { IdParams, PagingQuery, StatusEnum } from '../http/schemas';
import {
  AddOutcome,
  BulkAddResponse,
  ConflictResponse,
  PageOf,
  ReplicationJob,
  ReplicationJobDetail,
} from '../replication/replication.schemas';

const VmwareVmId = Type.String({ minLength: 1, maxLength: 200, description: 'VMware instance UUID' });
const AddOptions = {
  credential_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  start_replication: Type.Optional(
    Type.Boolean({ description: 'Start a replication at once (default true); false only adds to management' }),
  ),
};
const closed = { additionalProperties: false } as const;

/** The four forms of POST /api/v1/replications: one VM (vm_id, or the legacy vmware_vm_id), many VMs, a context. */
const AddBody = Type.Union(
  [
    Type.Object({ vm_id: VmwareVmId, ...AddOptions }, { ...closed, title: 'AddVm' }),
    Type.Object({ vmware_vm_id: VmwareVmId, ...AddOptions }, { ...closed, title: 'AddVmLegacy' }),
    Type.Object(
      { vm_ids: Type.Array(VmwareVmId, { minItems: 1, maxItems: 500 }), ...AddOptions },
      { ...closed, title: 'AddVms' },
    ),
    Type.Object(
      {
        context_id: Type.String({ minLength: 1, maxLength: 200, description: 'Replicate this managed VM now' }),
        start_replication: Type.Optional(Type.Literal(true, { description: 'A managed VM is always replicated' })),
      },
      { ...closed, title: 'ReplicateContext' },
    ),
  ],
  { description: 'One VM, many VMs (bulk, answered per VM), or a managed VM by its context id' },
);
type AddBodyType = Static<typeof AddBody>;

const ListQuery = Type.Object(
  {
    context_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    status: Type.Optional(StatusEnum(replicationJobStatuses)),
    ...PagingQuery,
  },
  { additionalProperties: false },
);

/** A duplicate or busy VM answers our error envelope plus the top-level fields older clients read. */
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

function addOptions(body: { credential_id?: string; start_replication?: boolean }) {
  return { credential_id: body.credential_id, start_replication: body.start_replication };
}

/** The one shape of an added or replicated VM, alone (201/202) or inside a bulk answer. */
function outcomeView(outcome: AddVmOutcome) {
  return {
    context_id: outcome.context.context_id,
    vm_name: outcome.context.vm_name,
    current_status: outcome.context.current_status,
    job_id: outcome.job?.id ?? null,
    replication_type: outcome.job?.replication_type ?? null,
    created: outcome.created,
  };
}

function bulkResultView(result: BulkAddResult) {
  if (result.ok) return { vm_id: result.vm_id, ok: true, ...outcomeView(result.outcome) };
  const { error } = result;
  return {
    vm_id: result.vm_id,
    ok: false,
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
    existing_context_id: (error.details?.existing_context_id as string | undefined) ?? null,
  };
}

export const replicationRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['replications'];

  app.post<{ Body: AddBodyType }>(
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
      const body: AddBodyType = request.body;
      const owner = request.principal?.username;
      if ('vm_ids' in body) {
        const results = await services.vmManagement.addMany(body.vm_ids, { ...addOptions(body), owner });
        return reply.code(200).send({ results: results.map(bulkResultView) });
      }
      try {
        const outcome =
          'context_id' in body
            ? await services.vmManagement.replicateContext(body.context_id, owner)
            : await services.vmManagement.add({
                vm_id: 'vm_id' in body ? body.vm_id : body.vmware_vm_id,
                ...addOptions(body),
                owner,
              });
        return reply.code(outcome.created ? 201 : 202).send(outcomeView(outcome));
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
      return services.replicationJobs.list({
        contextId: q.context_id,
        status: q.status,
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      });
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
    // While it runs, `live` is the agent's last report, with throughput and per-disk bytes.
    async (request) => services.replicationJobs.details(request.params.id),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/replications/:id',
    { schema: { tags, summary: 'Cancel a replication job', params: IdParams, response: { 200: ReplicationJob } } },
    async (request) => services.replication.cancel(request.params.id),
  );
};
