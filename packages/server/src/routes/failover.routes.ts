// Failover API (docs/failover.md): the unified start and the seed's legacy test/live paths, pre-flight config and
// validation, readiness, status with every workflow step, the job list, and the operator's decision on a paused
// failover. Routes parse, authorize and call the failover service.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app-context';
import type { FailoverType, StartFailoverRequest } from '../failover';
import {
  FailoverStatusSchema,
  JobList,
  JobParams,
  JobsQuery,
  LegacyBody,
  PreflightConfigSchema,
  PreflightParams,
  ReadinessSchema,
  StartedFailoverSchema,
  UnifiedBody,
  ValidateBody,
  VmParams,
} from '../failover/failover.schemas';
import { principalOf } from '../http/auth-hook';
import { ErrorResponse } from '../http/schemas';
import type { AuditContext } from '../services/audit.service';

function auditContext(request: FastifyRequest): AuditContext {
  return { principal: principalOf(request), requestId: request.id };
}

type Options = StartFailoverRequest['options'];
const DecisionParams = Type.Object(
  { job_id: JobParams.properties.job_id, decision: Type.Union([Type.Literal('resume'), Type.Literal('compensate')]) },
  { additionalProperties: false },
);

export const failoverRoutes: RoutePlugin = (app, ctx) => {
  const tags = ['failover'];
  const operator = { minRole: 'operator' as const };
  const failover = ctx.services.failover;
  const startResponses = { 202: StartedFailoverSchema, 409: ErrorResponse };
  const start = (request: FastifyRequest, vm: string, type: FailoverType, options: Options) =>
    failover.start({ vm, type, ...(options === undefined ? {} : { options }) }, auditContext(request));

  app.post<{ Body: Static<typeof UnifiedBody> }>(
    '/api/v1/failover/unified',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'startFailover',
        summary: 'Start a test or live failover; returns at once with the job id (409 when the VM is held)',
        body: UnifiedBody,
        response: startResponses,
      },
    },
    async (request, reply) => {
      const { vm_id, failover_type, options } = request.body;
      return reply.code(202).send(await start(request, vm_id, failover_type, options));
    },
  );

  for (const type of ['test', 'live'] as const) {
    app.post<{ Body: Static<typeof LegacyBody> }>(
      `/api/v1/failover/${type}`,
      {
        config: operator,
        schema: {
          tags,
          operationId: type === 'test' ? 'startTestFailover' : 'startLiveFailover',
          summary: `Start a ${type} failover (legacy path of the unified one)`,
          body: LegacyBody,
          response: startResponses,
        },
      },
      async (request, reply) =>
        reply.code(202).send(await start(request, request.body.vm_id, type, request.body.options)),
    );
  }

  app.get<{ Params: Static<typeof PreflightParams> }>(
    '/api/v1/failover/preflight/config/:failover_type/:vm',
    {
      schema: {
        tags,
        operationId: 'getFailoverPreflightConfig',
        summary: 'The options with their defaults and what pre-flight knows (sync age, mappings, volumes, power)',
        params: PreflightParams,
        response: { 200: PreflightConfigSchema },
      },
    },
    (request) => failover.preflightConfig(request.params.failover_type, request.params.vm),
  );

  app.post<{ Body: Static<typeof ValidateBody> }>(
    '/api/v1/failover/preflight/validate',
    {
      schema: {
        tags,
        operationId: 'validateFailover',
        summary: 'Run every pre-flight check with these options (nothing is changed)',
        body: ValidateBody,
        response: { 200: PreflightConfigSchema },
      },
    },
    (request) => failover.preflightConfig(request.body.failover_type, request.body.vm_id, request.body.options),
  );

  app.get<{ Querystring: Static<typeof JobsQuery> }>(
    '/api/v1/failover/jobs',
    {
      schema: {
        tags,
        operationId: 'listFailoverJobs',
        summary: 'Failover jobs, newest first',
        querystring: JobsQuery,
        response: { 200: JobList },
      },
    },
    (request) => {
      const { vm_id, failover_type, status, limit } = request.query;
      return failover.list({
        ...(vm_id === undefined ? {} : { vm: vm_id }),
        ...(failover_type === undefined ? {} : { type: failover_type }),
        ...(status === undefined ? {} : { status }),
        ...(limit === undefined ? {} : { limit }),
      });
    },
  );

  app.get<{ Params: Static<typeof VmParams> }>(
    '/api/v1/failover/:vm_id/readiness',
    {
      schema: {
        tags,
        operationId: 'getFailoverReadiness',
        summary: 'Whether the VM can fail over now (test and live), and what blocks it',
        params: VmParams,
        response: { 200: ReadinessSchema },
      },
    },
    (request) => failover.readiness(request.params.vm_id),
  );

  app.get<{ Params: Static<typeof JobParams> }>(
    '/api/v1/failover/:job_id/status',
    {
      schema: {
        tags,
        operationId: 'getFailoverStatus',
        summary: 'A failover with every workflow step: state, times, output, errors',
        params: JobParams,
        response: { 200: FailoverStatusSchema },
      },
    },
    (request) => failover.status(request.params.job_id),
  );

  app.post<{ Params: Static<typeof DecisionParams> }>(
    '/api/v1/failover/:job_id/:decision',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'decideFailover',
        summary: 'The operator decision on a paused failover: resume its steps or compensate (undo) them',
        params: DecisionParams,
        response: { 202: FailoverStatusSchema, 409: ErrorResponse },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await failover.decide(request.params.job_id, request.params.decision)),
  );
};
