// Recovery plans (docs/recovery-plans.md): CRUD of plans with their ordered stages, a run (test or live) that
// answers at once with the run and its parent job, the runs of a plan, and "undo what ran".
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { ErrorResponse } from '../http/schemas';
import {
  PlanCreate,
  PlanParams,
  PlanUpdate,
  RecoveryPlan,
  RecoveryPlanRun,
  RunBody,
  RunParams,
  UndoBody,
} from '../recovery-plans/recovery-plan.schemas';
import type { AuditContext } from '../services/audit.service';

const who = (request: FastifyRequest): AuditContext => ({ principal: principalOf(request), requestId: request.id });

export const recoveryPlanRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['recovery-plans'];
  const plans = services.recoveryPlans;
  const operator = { minRole: 'operator' as const };

  app.get(
    '/api/v1/recovery-plans',
    {
      schema: {
        operationId: 'listRecoveryPlans',
        tags,
        summary: 'List recovery plans with their stages',
        response: { 200: Type.Array(RecoveryPlan) },
      },
    },
    async () => plans.list(),
  );

  app.post<{ Body: Static<typeof PlanCreate> }>(
    '/api/v1/recovery-plans',
    {
      config: operator,
      schema: {
        operationId: 'createRecoveryPlan',
        tags,
        summary: 'Create a recovery plan: ordered stages of machine groups or VMs',
        body: PlanCreate,
        response: { 201: RecoveryPlan, 400: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => reply.code(201).send(await plans.create(request.body, who(request))),
  );

  app.get<{ Params: Static<typeof PlanParams> }>(
    '/api/v1/recovery-plans/:id',
    {
      schema: {
        operationId: 'getRecoveryPlan',
        tags,
        summary: 'One recovery plan (by id or name)',
        params: PlanParams,
        response: { 200: RecoveryPlan, 404: ErrorResponse },
      },
    },
    async (request) => plans.get(request.params.id),
  );

  app.patch<{ Params: Static<typeof PlanParams>; Body: Static<typeof PlanUpdate> }>(
    '/api/v1/recovery-plans/:id',
    {
      config: operator,
      schema: {
        operationId: 'updateRecoveryPlan',
        tags,
        summary: 'Change a recovery plan; stages, when given, replace every stage',
        params: PlanParams,
        body: PlanUpdate,
        response: { 200: RecoveryPlan, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => plans.update(request.params.id, request.body, who(request)),
  );

  app.delete<{ Params: Static<typeof PlanParams> }>(
    '/api/v1/recovery-plans/:id',
    {
      config: operator,
      schema: {
        operationId: 'deleteRecoveryPlan',
        tags,
        summary: 'Delete a recovery plan and its run history (409 while a run is active)',
        params: PlanParams,
        response: { 204: Type.Null(), 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      await plans.delete(request.params.id, who(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof PlanParams>; Body: Static<typeof RunBody> }>(
    '/api/v1/recovery-plans/:id/run',
    {
      config: operator,
      schema: {
        operationId: 'runRecoveryPlan',
        tags,
        summary: 'Run the plan as a test or live failover; answers at once with the run and its parent job',
        params: PlanParams,
        body: RunBody,
        response: { 202: RecoveryPlanRun, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await plans.run(request.params.id, request.body.failover_type, who(request))),
  );

  app.get<{ Params: Static<typeof PlanParams>; Querystring: { limit?: number } }>(
    '/api/v1/recovery-plans/:id/runs',
    {
      schema: {
        operationId: 'listRecoveryPlanRuns',
        tags,
        summary: 'Runs of a plan, newest first, each with its stages and child failovers',
        params: PlanParams,
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(RecoveryPlanRun), 404: ErrorResponse },
      },
    },
    async (request) => plans.listRuns(request.params.id, request.query.limit ?? 20),
  );

  app.get<{ Params: Static<typeof RunParams> }>(
    '/api/v1/recovery-plans/:id/runs/:run_id',
    {
      schema: {
        operationId: 'getRecoveryPlanRun',
        tags,
        summary: 'One run: its stages, each with its child failovers and their current step',
        params: RunParams,
        response: { 200: RecoveryPlanRun, 404: ErrorResponse },
      },
    },
    async (request) => plans.getRun(request.params.id, request.params.run_id),
  );

  app.post<{ Params: Static<typeof RunParams>; Body: Static<typeof UndoBody> }>(
    '/api/v1/recovery-plans/:id/runs/:run_id/undo',
    {
      config: operator,
      schema: {
        operationId: 'undoRecoveryPlanRun',
        tags,
        summary: 'Clean up (test) or roll back (live) every failover of a finished run that completed',
        params: RunParams,
        body: UndoBody,
        response: { 202: RecoveryPlanRun, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await plans.undo(request.params.id, request.params.run_id, request.body, who(request))),
  );
};
