// The operator's decision on a workflow job that waits for one (docs/workflows.md): a paused job is resumed or
// undone; a cleanup_required job's compensation is run again. Each decision is audited with who made it, so a
// VM's story in the dashboard shows it.
import { MigrateKitError } from '@migratekit/core';
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { IdParams } from '../http/schemas';

const Decision = Type.Union([Type.Literal('resume'), Type.Literal('compensate')]);
const DecisionParams = Type.Object({ ...IdParams.properties, decision: Decision }, { additionalProperties: false });
const Accepted = Type.Object({ job_id: Type.String(), decision: Decision });

export const workflowDecisionRoutes: RoutePlugin = (app, { services }) => {
  app.post<{ Params: Static<typeof DecisionParams> }>(
    '/api/v1/jobs/:id/decision/:decision',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Decide on a paused workflow job (resume: inspect the interrupted step and run on; compensate: undo its ' +
          'steps) or run the compensation of a cleanup_required job again. Returns at once; follow the job.',
        params: DecisionParams,
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      const { id, decision } = request.params;
      const job = await services.jobs.getJob(id);
      if (job === undefined) throw new MigrateKitError('MKE_NOT_FOUND', { message: `Job ${id} not found` });
      if (decision === 'resume') await services.workflows.resume(id);
      else await services.workflows.compensate(id);
      await services.audit.record({
        actor: principalOf(request),
        action: `job.${decision}`,
        targetType: 'job',
        targetId: id,
        ...(job.vm_context_id === null ? {} : { vmContextId: job.vm_context_id }),
        details: { job_type: job.job_type, workflow: job.workflow_name, status_before: job.status },
        requestId: request.id,
      });
      return reply.code(202).send({ job_id: id, decision });
    },
  );
};
