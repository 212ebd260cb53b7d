// What every route plugin receives: the few adapters routes use directly (configuration, clock, logger, the
// event bus for the live stream) and the services built once by the composition root (composition/).
import type { Clock } from '@migratekit/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Services } from './composition/services';
import type { ServerConfig } from './config/server-config';
import type { EventBus } from './events/event-bus';
import type { ServerEvent } from './events/event-types';

export type AppConfig = Pick<ServerConfig, 'bodyLimitBytes' | 'sessionTtlMs' | 'sseHeartbeatMs'> &
  Partial<Pick<ServerConfig, 'trustProxy' | 'dataDir' | 'agentListener'>>;

export interface RouteDeps {
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventBus<ServerEvent>;
}

export interface AppContext {
  readonly deps: RouteDeps;
  readonly services: Services;
}

/** A resource's routes: registered in routes/index.ts, each in its own encapsulated Fastify scope. */
export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => void | Promise<void>;
