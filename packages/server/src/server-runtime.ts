// Start-up and shutdown of `migratekit server` (and of the server inside `migratekit dev`), in one order:
// open and migrate the database, load the master key and the server certificate, compose adapters and services,
// recover what a previous process left, create the first admin, then listen: the API, the NBD target's own port
// when configured, and the HTTPS listener agents connect to (which also carries NBD). close() stops them in reverse.
import { normalizeFingerprint } from '@migratekit/agent/protocol';
import { systemClock, type Clock } from '@migratekit/core';
import { createRepositories, defaultDatabaseUrl, migrateToLatest, openDatabase } from '@migratekit/db';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { startAgentGateway, type AgentGateway } from './agents/agent-gateway';
import { nbdUpgradeHandler } from './agents/nbd-upgrade';
import { buildApp, type BuildAppOptions } from './app';
import type { AdapterInput, ServerSettings } from './composition/adapters';
import { compose, type Composition } from './composition/compose';
import type { Services } from './composition/services';
import { ConfigError, type ServerConfig } from './config/server-config';
import { converterFromConfig } from './conversion/converter-factory';
import { createLogger } from './logging/logger';
import { loadOrCreateServerCertificate } from './nbd-target/server-certificate';
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
  /** Shorter timeouts (tests, dev); the listeners' addresses always come from config. */
  settings?: Partial<Omit<ServerSettings, 'nbd' | 'byIdDir' | 'serverId'>>;
  createCloudStackClient?: AdapterInput['createCloudStackClient'];
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  composition: Composition;
  services: Services;
  bootstrap: BootstrapResult;
  gateway: AgentGateway;
  /** The NBD target's own port; undefined when agents reach it only through the agent listener (the default). */
  nbdPort: number | undefined;
  close(): Promise<void>;
}

/** Listens via `start`; a port already in use fails naming the component and the variable that sets it. */
async function listenAs<T>(component: string, variable: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') throw error;
    throw new ConfigError(variable, `port ${port} of the ${component} is already in use (${String(error)})`);
  }
}

/** Every lease of this server from one length; heartbeats renew them three times per lease. */
function leaseSettings(leaseMs: number): Pick<ServerSettings, 'presence' | 'scheduler'> {
  const heartbeatMs = Math.max(1, Math.floor(leaseMs / 3));
  return {
    presence: { leaseMs, heartbeatMs },
    scheduler: { leaseTtlMs: leaseMs, pollMs: Math.min(5_000, heartbeatMs) },
  };
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const logger = options.logger ?? createLogger({ level: config.logLevel, pretty: options.prettyLogs ?? false });
  ensureDataDir(config.dataDir);

  const databaseUrl = config.databaseUrl ?? defaultDatabaseUrl(config.dataDir);
  const database = openDatabase(databaseUrl);
  const closers: Array<() => Promise<void>> = [() => database.close()];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const applied = await migrateToLatest(database.db);
    // One clear line per start: what the schema upgrade did (`migratekit server migrate --dry-run` previews it).
    if (applied.length > 0) logger.info({ applied, engine: database.engine }, 'database migrations applied');
    else logger.info({ engine: database.engine }, 'database schema up to date, no migration pending');
    logger.info({ database: database.displayUrl, engine: database.engine }, 'database ready');

    const masterKey = loadOrCreateMasterKey(config.masterKey, config.dataDir);
    logger.info({ origin: masterKey.origin, path: masterKey.path }, 'master key loaded');
    const certificate = await loadOrCreateServerCertificate({
      dataDir: config.dataDir,
      ...(config.tls.certPath === undefined ? {} : { certPath: config.tls.certPath }),
      ...(config.tls.keyPath === undefined ? {} : { keyPath: config.tls.keyPath }),
    });
    // Database (with -wal and -shm), master key and certificates exist by now.
    warnAboutLooseModes(config.dataDir, logger);

    const repositories = createRepositories(database.db, clock);
    const composition = compose({
      config,
      engine: database.engine,
      repositories,
      databaseUrl,
      clock,
      logger,
      secrets: new SecretBox(masterKey.key),
      certificate,
      startedAt,
      settings: {
        ...leaseSettings(config.leaseMs),
        ...options.settings,
        events: {
          ...(config.eventPollMs === undefined ? {} : { pollIntervalMs: config.eventPollMs }),
          ...options.settings?.events,
        },
        scheduler: { ...leaseSettings(config.leaseMs).scheduler, ...options.settings?.scheduler },
        serverId: config.serverId,
        byIdDir: config.byIdDir,
        nbd: { listener: config.nbd.listener, host: config.nbd.host, port: config.nbd.port },
        nbdAdvertise: config.nbd.advertise,
        dataMover: config.dataMover,
      },
      ...(options.createCloudStackClient === undefined
        ? {}
        : { createCloudStackClient: options.createCloudStackClient }),
      converter: converterFromConfig(config.conversion, { clock, logger }),
    });
    closers.push(() => composition.close());
    await composition.recover();
    // Say at start-up whether failovers will convert guests, and if not why (docs/conversion.md).
    const conversion = await composition.adapters.converter.availability();
    if (conversion.available) logger.info({ unsupported: conversion.unsupported }, 'guest conversion available');
    else logger.warn({ reason: conversion.reason }, 'guest conversion not available: failovers will skip it');

    const bootstrap = await bootstrapAdmin(repositories.users, config.adminPassword);
    if (bootstrap.created)
      logger.info({ username: bootstrap.username, source: bootstrap.passwordSource }, 'created the first admin user');

    const { app } = await buildApp(composition, options.buildOptions);
    closers.push(() => app.close());
    const address = await listenAs('API server', 'PORT', config.port, () =>
      app.listen({ host: config.host, port: config.port }),
    );
    const nbdPort = config.nbd.listener
      ? await listenAs('NBD target', 'MIGRATEKIT_NBD_PORT', config.nbd.port, () =>
          composition.adapters.nbdTarget.start(),
        )
      : undefined;
    if (nbdPort !== undefined)
      logger.info({ port: nbdPort, fingerprint256: certificate.fingerprint256 }, 'nbd target listening');
    const gateway = await listenAs('agent listener', 'MIGRATEKIT_AGENT_PORT', config.agentListener.port, () =>
      startAgentGateway({
        app,
        hub: composition.adapters.hub,
        pairing: composition.services.agentPairing,
        tls: { cert: certificate.cert, key: certificate.key },
        host: config.agentListener.host,
        port: config.agentListener.port,
        logger,
        nbdUpgrade: nbdUpgradeHandler({
          psk: composition.adapters.nbdPsk,
          target: composition.adapters.nbdTarget,
          logger,
        }),
      }),
    );
    closers.push(() => gateway.close());
    await composition.services.presence.advertise({
      api_url: address,
      agent_url: config.agentListener.advertiseUrl ?? gateway.url,
      // The gateway serves this certificate: the pin other servers hand to agents that fail over here.
      agent_fingerprint: normalizeFingerprint(certificate.fingerprint256),
    });
    return {
      app,
      url: address.replace('[::1]', 'localhost'),
      composition,
      services: composition.services,
      bootstrap,
      gateway,
      nbdPort,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
