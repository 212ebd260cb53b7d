// The adapters every service is built from: the database's repositories, the clock, the logger, the secret box,
// the event bus and JobLog, the agent hub (the link to vCenter through agents), the NBD target and the
// CloudStack client factory. Built once per process by createAdapters; tests pass their own clock, logger and
// database. Nothing here listens on a port: the runtime starts listeners in its start-up order.
import type { CloudStackClient } from '@migratekit/cloudstack';
import type { Clock } from '@migratekit/core';
import type { DatabaseEngine, Repositories } from '@migratekit/db';
import type { Logger } from 'pino';
import { AgentHub } from '../agents/agent-hub';
import type { AppConfig } from '../app-context';
import { converterNotConfigured, type GuestConverter } from '../conversion/guest-converter';
import { cloudStackClientFromConfig } from '../cloudstack/cloudstack-client.factory';
import { livePeerServers } from '../cluster/peer-servers';
import { DEFAULT_PRESENCE_TIMINGS, type PresenceTimings } from '../cluster/server-presence';
import { DEFAULT_BY_ID_DIR, DEFAULT_NBD_PORT } from '../config/server-config';
import { EventBus } from '../events/event-bus';
import {
  DEFAULT_EVENT_RELAY_TIMINGS,
  createEventRelay,
  type EventRelay,
  type EventRelayTimings,
} from '../events/event-relay';
import type { ServerEvent } from '../events/event-types';
import { JobLog } from '../joblog';
import { NbdTarget } from '../nbd-target/nbd-target';
import type { SecretBox } from '../security/secret-box';
import type { SchedulerTimings } from '../scheduler/scheduler.service';
import type { LoginThrottleOptions } from '../services/login-throttle';
import type { ResolvedCloudStackConfig } from '../services/cloudstack-config.service';
import type { CrashHook } from '../workflows/crash-points';

export interface ServerCertificateIdentity {
  cert: string;
  key: string;
  fingerprint256: string;
}

/** Tunables with production defaults; tests and the dev stack shorten them. */
export interface ServerSettings {
  /** Owner id of this server's workflow leases (MIGRATEKIT_SERVER_ID, default the host name). */
  serverId: string;
  byIdDir: string;
  /** How long an attached volume may take to appear under byIdDir. */
  deviceWaitTimeoutMs: number;
  /** `listener`: the NBD target also listens on its own port and agents are sent there (else: the agent port). */
  nbd: { listener: boolean; host: string; port: number };
  /** Host agents dial for NBD on its own port; undefined = the host of the server URL the agent knows. */
  nbdAdvertise?: string | undefined;
  agentSilenceTimeoutMs?: number | undefined;
  agentHeartbeatMs?: number | undefined;
  agentHeartbeatTimeoutMs?: number | undefined;
  copy?: { connections?: number; inFlight?: number } | undefined;
  loginThrottle?: LoginThrottleOptions | undefined;
  /** Scheduler lease, poll and catch-up timings (docs/scheduler.md); tests shorten them. */
  scheduler?: Partial<SchedulerTimings> | undefined;
  /** false = this server never runs the scheduler loop (tests that drive rounds by hand). */
  schedulerEnabled?: boolean | undefined;
  /** Timings of the event relay between servers (docs/scale-out.md#events-across-servers). */
  events?: Partial<EventRelayTimings> | undefined;
  /** This server's lease in `servers` and on its plain jobs, and its heartbeat (docs/scale-out.md). */
  presence: PresenceTimings;
  /** This server as a data mover: its CloudStack VM (undefined: the configuration's) and attachment slots. */
  dataMover: { vmId: string | undefined; attachmentSlots: number | undefined };
  /** How often relayed agent requests are polled, on both sides (docs/scale-out.md#agents-and-scope). */
  relayPollMs?: number | undefined;
  /** false = no heartbeat loop and no relay loop (tests that drive them by hand). */
  presenceLoop?: boolean | undefined;
}

export interface AdapterInput {
  config: AppConfig;
  engine: DatabaseEngine;
  repositories: Repositories;
  /** PostgreSQL: the event relay opens its own LISTEN connection with it (without it, events stay local). */
  databaseUrl?: string;
  clock: Clock;
  logger: Logger;
  secrets: SecretBox;
  certificate: ServerCertificateIdentity;
  settings?: Partial<ServerSettings>;
  /** Builds the CloudStack client of a configuration (default: the production client, real-time signatures). */
  createCloudStackClient?: (config: ResolvedCloudStackConfig) => CloudStackClient;
  startedAt?: Date;
  /** The guest converter of the failover workflow (default: none configured, the step is skipped with why). */
  converter?: GuestConverter;
  /** Tests: where the workflow runner halts as if killed (production: MIGRATEKIT_CRASH_AT). */
  crashHook?: CrashHook;
}

export interface ServerAdapters {
  readonly config: AppConfig;
  readonly engine: DatabaseEngine;
  readonly repositories: Repositories;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly secrets: SecretBox;
  readonly certificate: ServerCertificateIdentity;
  readonly settings: ServerSettings;
  readonly events: EventBus<ServerEvent>;
  /** Carries the events between the servers sharing the database; started by recover, closed by close. */
  readonly eventRelay: EventRelay;
  readonly joblog: JobLog;
  readonly hub: AgentHub;
  readonly nbdTarget: NbdTarget;
  /** The NBD target's live PSK table: replication adds a key per job and removes it after. */
  readonly nbdPsk: Map<string, Buffer>;
  readonly createCloudStackClient: (config: ResolvedCloudStackConfig) => CloudStackClient;
  readonly startedAt: Date;
  readonly converter: GuestConverter;
  readonly crashHook: CrashHook | undefined;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  serverId: 'migratekit-server',
  byIdDir: DEFAULT_BY_ID_DIR,
  deviceWaitTimeoutMs: 30_000,
  nbd: { listener: false, host: '0.0.0.0', port: DEFAULT_NBD_PORT },
  presence: DEFAULT_PRESENCE_TIMINGS,
  dataMover: { vmId: undefined, attachmentSlots: undefined },
};

export function createAdapters(input: AdapterInput): ServerAdapters {
  const { logger, clock, repositories } = input;
  const settings: ServerSettings = { ...DEFAULT_SETTINGS, ...input.settings };
  const eventRelay = createEventRelay(input.engine, input.databaseUrl, {
    serverId: settings.serverId,
    repositories,
    clock,
    logger,
    // Called only after start(), when `events` exists.
    deliver: (event) => events.deliverRemote(event),
    timings: { ...DEFAULT_EVENT_RELAY_TIMINGS, ...settings.events },
  });
  const events = new EventBus<ServerEvent>(
    (error) => logger.error({ err: error }, 'event listener failed'),
    (event) => eventRelay.forward(event),
  );
  const nbdPsk = new Map<string, Buffer>();
  return Object.freeze({
    config: input.config,
    engine: input.engine,
    repositories,
    clock,
    logger,
    secrets: input.secrets,
    certificate: input.certificate,
    settings,
    events,
    eventRelay,
    joblog: new JobLog({
      repositories,
      clock,
      publish: (event) => events.publish(event),
      lease: { owner: settings.serverId, leaseMs: settings.presence.leaseMs },
    }),
    hub: new AgentHub({
      agents: repositories.agents,
      serverId: settings.serverId,
      peerServers: () => livePeerServers(repositories.servers, settings.serverId),
      clock,
      logger,
      ...(settings.agentHeartbeatMs === undefined ? {} : { heartbeatMs: settings.agentHeartbeatMs }),
      ...(settings.agentHeartbeatTimeoutMs === undefined
        ? {}
        : { heartbeatTimeoutMs: settings.agentHeartbeatTimeoutMs }),
    }),
    nbdTarget: new NbdTarget({
      port: settings.nbd.port,
      host: settings.nbd.host,
      tls: { cert: input.certificate.cert, key: input.certificate.key, psk: nbdPsk },
      fingerprint256: input.certificate.fingerprint256,
      isAgent: (identity) => nbdPsk.has(identity),
      logger,
      clock,
    }),
    nbdPsk,
    createCloudStackClient:
      input.createCloudStackClient ??
      ((config: ResolvedCloudStackConfig) => cloudStackClientFromConfig(config, { logger })),
    startedAt: input.startedAt ?? clock.now(),
    converter: input.converter ?? converterNotConfigured('no guest converter is configured on this server'),
    crashHook: input.crashHook,
  });
}
