import { Type } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  version: Type.String(),
  database: Type.String({ description: 'Database engine: sqlite, postgres or mysql' }),
  uptime_seconds: Type.Integer(),
});

export const healthRoutes: RoutePlugin = (app, { services }) => {
  app.get(
    '/api/v1/health',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability (no authentication)',
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const report = await services.health.check();
      return reply.code(report.status === 'ok' ? 200 : 503).send(report);
    },
  );
};
