// The way back from a failover (docs/failover-recovery.md): rollback (live, or test cleanup), the rollback
// decision, the failed-execution cleanup and the seed's legacy test-cleanup path. Each start returns at once with
// the workflow job; its steps and progress arrive on the event stream.
import type { Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app-context';
import {
  CleanupParams,
  DecisionParams,
  LegacyCleanupParams,
  RepairBody,
  RollbackBody,
  RollbackDecisionSchema,
  StartedRecoverySchema,
} from '../failover/recovery/recovery.schemas';
import { principalOf } from '../http/auth-hook';
import { ErrorResponse } from '../http/schemas';
import type { AuditContext } from '../services/audit.service';

function auditContext(request: FastifyRequest): AuditContext {
  return { principal: principalOf(request), requestId: request.id };
}

export const failoverRecoveryRoutes: RoutePlugin = (app, ctx) => {
  const tags = ['failover'];
  const operator = { minRole: 'operator' as const };
  const recovery = ctx.services.recovery;
  const started = { 202: StartedRecoverySchema, 404: ErrorResponse, 409: ErrorResponse };

  app.post<{ Body: Static<typeof RollbackBody> }>(
    '/api/v1/failover/rollback',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'rollbackFailover',
        summary: 'Roll back the latest live failover (or clean up the latest test one) of a VM',
        body: RollbackBody,
        response: started,
      },
    },
    async (request, reply) => {
      const { vm_id, failover_type, power_on_source, keep_target } = request.body;
      const result = await recovery.rollback(
        {
          vm: vm_id,
          failoverType: failover_type ?? 'live',
          ...(power_on_source === undefined ? {} : { powerOnSource: power_on_source }),
          ...(keep_target === undefined ? {} : { keepTarget: keep_target }),
        },
        auditContext(request),
      );
      return reply.code(202).send(result);
    },
  );

  app.get<{ Params: Static<typeof DecisionParams> }>(
    '/api/v1/failover/rollback/decision/:failover_type/:vm',
    {
      schema: {
        tags,
        operationId: 'getRollbackDecision',
        summary: 'What rolling back the latest failover of this type will do and lose, and the choices offered',
        params: DecisionParams,
        response: { 200: RollbackDecisionSchema, 404: ErrorResponse },
      },
    },
    (request) => recovery.decision(request.params.failover_type, request.params.vm),
  );

  app.post<{ Params: Static<typeof CleanupParams>; Body: Static<typeof RepairBody> | undefined }>(
    '/api/v1/failover/cleanup/:vm',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'repairFailover',
        summary:
          "Failed-execution cleanup: inspect where the VM's volumes, failover snapshots and target VMs really are and converge to the clean state",
        params: CleanupParams,
        body: RepairBody,
        response: started,
      },
    },
    async (request, reply) => {
      const powerOn = request.body?.power_on_source;
      const result = await recovery.repair(
        request.params.vm,
        auditContext(request),
        powerOn === undefined ? {} : { powerOnSource: powerOn },
      );
      return reply.code(202).send(result);
    },
  );

  app.delete<{ Params: Static<typeof LegacyCleanupParams> }>(
    '/api/v1/failover/test/:job_id',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'cleanupTestFailover',
        summary: 'Clean up a test failover by its job id (legacy path of the test cleanup)',
        params: LegacyCleanupParams,
        response: started,
      },
    },
    async (request, reply) =>
      reply.code(202).send(await recovery.cleanupTestJob(request.params.job_id, auditContext(request))),
  );
};
