// GET /api/v1/setup/status: the first-run checklist of the dashboard (docs/install.md#first-run-setup), each step
// computed from real state with what is wrong. Readable by every role; the steps themselves need an admin.
import { Type } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { SETUP_STEP_IDS } from '../setup/setup.service';

const SetupStepView = Type.Object({
  id: Type.Union(
    SETUP_STEP_IDS.map((id) => Type.Literal(id)),
    { description: 'vcenter, cloudstack, agent_paired, agent_online, discovery (in this order)' },
  ),
  done: Type.Boolean(),
  message: Type.String({ description: 'What is done, or what is wrong and what to do' }),
  code: Type.Union([Type.String(), Type.Null()], { description: 'MKE_* code of a failed check' }),
});

const SetupStatusView = Type.Object({
  complete: Type.Boolean({ description: 'Every step is done' }),
  first_run: Type.Boolean({
    description: 'No vCenter credential, no CloudStack configuration or no agent: the dashboard opens the checklist',
  }),
  steps: Type.Array(SetupStepView),
});

export const setupRoutes: RoutePlugin = (app, { services }) => {
  app.get(
    '/api/v1/setup/status',
    {
      schema: {
        tags: ['setup'],
        summary: 'First-run setup checklist: which steps are done, and what is wrong with the others',
        description:
          'vcenter: the last recorded test of the default credential, since its last change. cloudstack: the ' +
          'active configuration tested now, with zone, template and offerings chosen. agent_paired / ' +
          'agent_online: the agent directory. discovery: the last recorded discovery run.',
        response: { 200: SetupStatusView },
      },
    },
    async () => services.setup.status(),
  );
};
