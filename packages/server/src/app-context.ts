// What buildApp needs (deps, all adapters passed in) and what every route plugin receives (deps plus the
// core services built from them). A route plugin for a new resource builds its own services from ctx.deps.
import type { Clock } from '@migratekit/core';
import type { DatabaseEngine, Repositories } from '@migratekit/db';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServerConfig } from './config/server-config';
import type { EventBus } from './events/event-bus';
import type { ServerEvent } from './events/event-types';
import type { AgentServices } from './agents/agent-services';
import type { JobLog } from './joblog';
import type { SecretBox } from './security/secret-box';
import type { ApiTokenService } from './services/api-token.service';
import type { AuditService } from './services/audit.service';
import type { AuthService } from './services/auth.service';
import type { CloudStackConfigService } from './services/cloudstack-config.service';
import type { LoginThrottleOptions } from './services/login-throttle';
import type { UserService } from './services/user.service';
import type { VmwareCredentialService } from './services/vmware-credential.service';

export type AppConfig = Pick<ServerConfig, 'bodyLimitBytes' | 'sessionTtlMs' | 'sseHeartbeatMs'> &
  Partial<Pick<ServerConfig, 'trustProxy' | 'dataDir'>>;

export interface AppDeps {
  config: AppConfig;
  database: { engine: DatabaseEngine };
  repositories: Repositories;
  clock: Clock;
  logger: Logger;
  secrets: SecretBox;
  joblog: JobLog;
  events: EventBus<ServerEvent>;
  loginThrottle?: LoginThrottleOptions;
  /** When the process started, for uptime; defaults to buildApp time. */
  startedAt?: Date;
  /** Agent link, discovery and replication (agents/, replication/); absent where a test does not need them. */
  agents?: AgentServices;
}

export interface CoreServices {
  auth: AuthService;
  audit: AuditService;
  users: UserService;
  apiTokens: ApiTokenService;
  vmwareCredentials: VmwareCredentialService;
  cloudStackConfigs: CloudStackConfigService;
}

export interface AppContext {
  deps: AppDeps;
  services: CoreServices;
}

/** A resource's routes: registered in routes/index.ts, each in its own encapsulated Fastify scope. */
export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => void | Promise<void>;
