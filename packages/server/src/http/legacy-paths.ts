// CloudStack routes answer under /api/v1/cloudstack and, for the GUI scripts written against the system MigrateKit
// replaces (which called CloudStack "OSSEA"), under /api/v1/ossea too; the alias is marked deprecated in OpenAPI.
import type { FastifyInstance } from 'fastify';
import type { AppContext, RoutePlugin } from '../app-context';

export const CLOUDSTACK_API_BASE = '/api/v1/cloudstack';
export const LEGACY_OSSEA_API_BASE = '/api/v1/ossea';

/** Builds a route plugin that defines its routes once per base path: the primary one, then the deprecated alias. */
export function cloudStackPaths(
  define: (app: FastifyInstance, ctx: AppContext, base: string) => void | Promise<void>,
): RoutePlugin {
  return async (app, ctx) => {
    await app.register(async (scope) => define(scope, ctx, CLOUDSTACK_API_BASE));
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        if (route.schema === undefined) return;
        const primary = route.url.replace(LEGACY_OSSEA_API_BASE, CLOUDSTACK_API_BASE);
        route.schema = {
          ...route.schema,
          deprecated: true,
          summary: `${route.schema.summary ?? route.url} (deprecated alias of ${primary})`,
        };
      });
      await define(scope, ctx, LEGACY_OSSEA_API_BASE);
    });
  };
}
