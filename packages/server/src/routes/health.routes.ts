import { Type } from '@sinclair/typebox';
import { VERSION } from '@migratekit/core';
import type { RoutePlugin } from '../app-context';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  version: Type.String(),
  database: Type.String({ description: 'Database engine: sqlite, postgres or mysql' }),
  uptime_seconds: Type.Integer(),
});

export const healthRoutes: RoutePlugin = (app, { deps }) => {
  const startedAt = deps.startedAt ?? deps.clock.now();
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
    async (request, reply) => {
      let status: 'ok' | 'unavailable' = 'ok';
      try {
        await deps.repositories.users.count();
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        status = 'unavailable';
      }
      const uptime = Math.max(0, Math.floor((deps.clock.now().getTime() - startedAt.getTime()) / 1000));
      return reply
        .code(status === 'ok' ? 200 : 503)
        .send({ status, version: VERSION, database: deps.database.engine, uptime_seconds: uptime });
    },
  );
};
