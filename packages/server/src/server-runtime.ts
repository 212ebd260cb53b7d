// Start-up sequence shared by `migratekit server` and `migratekit dev`: open and migrate the database, load
// the master key, mark jobs a previous process left unfinished as interrupted, create the first admin, build
// the app and listen. Everything it opens is closed by the returned close().
import { systemClock, type Clock } from '@migratekit/core';
import {
  createRepositories,
  defaultDatabaseUrl,
  migrateToLatest,
  openDatabase,
  type Repositories,
} from '@migratekit/db';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, type BuildAppOptions } from './app';
import type { AppDeps } from './app-context';
import type { ServerConfig } from './config/server-config';
import { EventBus } from './events/event-bus';
import type { ServerEvent } from './events/event-types';
import { JobLog } from './joblog';
import { createLogger } from './logging/logger';
import { ensureDataDir, warnAboutLooseModes } from './security/data-dir-modes';
import { loadOrCreateMasterKey } from './security/master-key';
import { SecretBox } from './security/secret-box';
import { bootstrapAdmin, type BootstrapResult } from './services/bootstrap-admin';

export interface StartServerOptions {
  config: ServerConfig;
  clock?: Clock;
  logger?: Logger;
  /** Human-readable logs (dev on a terminal). */
  prettyLogs?: boolean;
  buildOptions?: BuildAppOptions;
  /** Adds optional services (the agent link) to the deps before the app is built. */
  extendDeps?: (deps: AppDeps) => AppDeps | Promise<AppDeps>;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  deps: AppDeps;
  repositories: Repositories;
  bootstrap: BootstrapResult;
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const logger = options.logger ?? createLogger({ level: config.logLevel, pretty: options.prettyLogs ?? false });
  ensureDataDir(config.dataDir);

  const databaseUrl = config.databaseUrl ?? defaultDatabaseUrl(config.dataDir);
  const database = openDatabase(databaseUrl);
  let app: FastifyInstance | undefined;
  try {
    await migrateToLatest(database.db);
    logger.info({ database: database.displayUrl, engine: database.engine }, 'database ready');

    const masterKey = loadOrCreateMasterKey(config.masterKey, config.dataDir);
    logger.info({ origin: masterKey.origin, path: masterKey.path }, 'master key loaded');
    // Database (with -wal and -shm), master key and certificates exist by now.
    warnAboutLooseModes(config.dataDir, logger);

    const repositories = createRepositories(database.db, clock);
    const events = new EventBus<ServerEvent>((error) => logger.error({ err: error }, 'event listener failed'));
    const joblog = new JobLog({ repositories, clock, publish: (event) => events.publish(event) });
    const interrupted = await joblog.markInterruptedJobs();
    if (interrupted.length > 0)
      logger.warn({ jobs: interrupted.length }, 'marked jobs left unfinished by the previous run as interrupted');

    const bootstrap = await bootstrapAdmin(repositories.users, config.adminPassword);
    if (bootstrap.created)
      logger.info({ username: bootstrap.username, source: bootstrap.passwordSource }, 'created the first admin user');

    const baseDeps: AppDeps = {
      config,
      database: { engine: database.engine },
      repositories,
      clock,
      logger,
      secrets: new SecretBox(masterKey.key),
      joblog,
      events,
      startedAt,
    };
    const deps = options.extendDeps === undefined ? baseDeps : await options.extendDeps(baseDeps);
    const built = await buildApp(deps, options.buildOptions);
    app = built;
    const address = await built.listen({ host: config.host, port: config.port });
    const url = address.replace('[::1]', 'localhost');
    return {
      app: built,
      url,
      deps,
      repositories,
      bootstrap,
      close: async () => {
        await built.close();
        await database.close();
      },
    };
  } catch (error) {
    if (app !== undefined) await app.close();
    await database.close();
    throw error;
  }
}
