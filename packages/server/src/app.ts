// buildApp() assembles the Fastify instance from injected deps and never listens: tests drive it with
// inject() or listen on an ephemeral port themselves; the CLI decides host and port.
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext, RoutePlugin } from './app-context';
import type { Composition } from './composition/compose';
import { installAuthHook } from './http/auth-hook';
import { installErrorHandlers } from './http/error-handler';
import { installMetrics } from './http/metrics.plugin';
import { registerRpoMetrics } from './scheduler/rpo-metrics';
import { installOpenApi } from './http/openapi.plugin';
import { ErrorResponse } from './http/schemas';
import { createValidatorCompiler } from './http/validator-compiler';
import { ROUTE_PLUGINS } from './routes';
import { webStaticPlugin } from './web/static.plugin';

export interface BuildAppOptions {
  /** Extra route plugins (tests, dev-only routes) registered after the standard ones. */
  extraRoutes?: readonly RoutePlugin[];
  /** Level of the per-request log line: info for `migratekit server`, debug on the dev terminal (for people). */
  requestLogLevel?: 'info' | 'debug';
}

export interface BuiltApp {
  app: FastifyInstance;
  ctx: AppContext;
}

export async function buildApp(composition: Composition, options: BuildAppOptions = {}): Promise<BuiltApp> {
  const { adapters, services } = composition;
  const config = adapters.config;
  // Typed as Fastify's logger interface so the instance keeps the default generic parameters.
  const loggerInstance: FastifyBaseLogger = adapters.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => `req-${randomBytes(8).toString('hex')}`,
    // Ids are ours; a client-supplied X-Request-Id is not trusted into the logs.
    requestIdHeader: false,
    trustProxy: config.trustProxy ?? false,
    // Open SSE streams would otherwise keep close() waiting.
    forceCloseConnections: true,
    // Longer path params reach schema validation (a 400 naming the param) instead of a router 404.
    routerOptions: { maxParamLength: 2048 },
    // One line per request, written below, instead of Fastify's two (incoming + completed).
    logController: new LogController({ disableRequestLogging: true }),
  });
  const ctx: AppContext = Object.freeze({
    deps: Object.freeze({ config, clock: adapters.clock, logger: adapters.logger, events: adapters.events }),
    services,
  });

  app.setValidatorCompiler(createValidatorCompiler());
  // JSON only: other content types answer 415 instead of reaching a handler as a string.
  app.removeContentTypeParser('text/plain');
  installErrorHandlers(app);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const fields = {
      method: request.method,
      // The path only: query strings are the caller's business and may carry anything.
      path: request.url.split('?')[0],
      route: request.routeOptions.url ?? null,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      user: request.principal?.username,
    };
    // Health checks and scrapes arrive every few seconds; keep them out of the info log.
    const quiet =
      options.requestLogLevel === 'debug' || fields.route === '/api/v1/health' || fields.route === '/metrics';
    if (quiet) request.log.debug(fields, 'request');
    else request.log.info(fields, 'request');
  });
  // Every documented API route answers errors in one shape; say so in the OpenAPI document.
  app.addHook('onRoute', (route) => {
    if (route.schema === undefined || route.schema.hide === true) return;
    const response = (route.schema.response ?? {}) as Record<string, unknown>;
    route.schema.response = {
      ...response,
      '4xx': response['4xx'] ?? ErrorResponse,
      '5xx': response['5xx'] ?? ErrorResponse,
    };
  });

  await app.register(cookie);
  installAuthHook(app, ctx.services.auth);
  await installOpenApi(app);
  registerRpoMetrics(installMetrics(app), ctx.services.rpo);
  for (const plugin of [...ROUTE_PLUGINS, ...(options.extraRoutes ?? [])]) {
    await app.register(async (scope) => {
      await plugin(scope, ctx);
    });
  }
  await app.register(async (scope) => webStaticPlugin(scope));
  await app.ready();
  return { app, ctx };
}
