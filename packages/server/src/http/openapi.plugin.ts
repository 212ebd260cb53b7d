// OpenAPI 3 document at /api/openapi.json (what the SDK is generated from) and the Swagger UI at /api/docs.
// Both are public: they describe the API, not the data behind it.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { VERSION } from '@migratekit/core';
import type { FastifyInstance } from 'fastify';

export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'MigrateKit API',
        version: VERSION,
        description:
          'Every /api/v1 route except health and login needs a session cookie (POST /api/v1/auth/login) or an API ' +
          'token as `Authorization: Bearer <token>`. Errors are `{error: {code, message, field?, request_id}}`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'mk_session' },
        },
      },
      security: [{ bearerAuth: [] }, { cookieAuth: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, () => app.swagger());
}
