// Assembles the agent link and replication for a running server: the hub and pairing (before the app is
// built, so routes see them), then the NBD target, volume daemon, replication and management services once the
// CloudStack side is known, and the HTTPS gateway agents connect to.
import type { CloudStackClient } from '@migratekit/cloudstack';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-context';
import type { NbdTarget, ServerCertificate } from '../nbd-target';
import { ReplicationService } from '../replication/replication.service';
import { VmManagementService } from '../replication/vm-management.service';
import { AuditService } from '../services/audit.service';
import { VmwareCredentialService } from '../services/vmware-credential.service';
import { startVolumeSubsystem, type VolumeDaemon } from '../volumes';
import { startAgentGateway, type AgentGateway } from './agent-gateway';
import { AgentHub } from './agent-hub';
import { AgentPairingService } from './agent-pairing.service';
import type { AgentServices } from './agent-services';

export interface AgentLinkSettings {
  certificate: ServerCertificate;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
}

/** Adds `agents` (hub + pairing) to the deps; pass as startServer's extendDeps. */
export function withAgentServices(settings: AgentLinkSettings): (deps: AppDeps) => AppDeps {
  return (deps) => {
    const hub = new AgentHub({
      agents: deps.repositories.agents,
      clock: deps.clock,
      logger: deps.logger,
      ...(settings.heartbeatMs === undefined ? {} : { heartbeatMs: settings.heartbeatMs }),
      ...(settings.heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs: settings.heartbeatTimeoutMs }),
    });
    const pairing = new AgentPairingService({
      repositories: deps.repositories,
      clock: deps.clock,
      serverFingerprint: settings.certificate.fingerprint256,
    });
    return { ...deps, agents: { hub, pairing } };
  };
}

export interface ReplicationWiringOptions {
  deps: AppDeps;
  app: FastifyInstance;
  /** Where a generated certificate lives (the NBD target shares the agent listener's certificate). */
  dataDir: string;
  certificate: ServerCertificate;
  /** Without it only the gateway starts (pairing, discovery, power); replication needs CloudStack. */
  cloudstack?: {
    client: CloudStackClient;
    serverVmId: string;
    byIdDir: string;
  };
  nbd: { host: string; port: number; advertisedHost?: string };
  gateway: { host: string; port: number };
  agentSilenceTimeoutMs?: number;
  copy?: { connections?: number; inFlight?: number };
}

export interface ReplicationWiring {
  services: AgentServices;
  /** Absent without CloudStack. */
  nbdTarget: NbdTarget | undefined;
  volumes: VolumeDaemon | undefined;
  gateway: AgentGateway;
  close(): Promise<void>;
}

export async function wireReplication(options: ReplicationWiringOptions): Promise<ReplicationWiring> {
  const { deps } = options;
  const services = deps.agents;
  if (services === undefined) throw new Error('wireReplication needs deps built with withAgentServices');
  const replication = options.cloudstack === undefined ? undefined : await wireVolumes(options, options.cloudstack);
  const gateway = await startAgentGateway({
    app: options.app,
    hub: services.hub,
    pairing: services.pairing,
    tls: { cert: options.certificate.cert, key: options.certificate.key },
    host: options.gateway.host,
    port: options.gateway.port,
    logger: deps.logger,
  });
  return {
    services,
    nbdTarget: replication?.nbdTarget,
    volumes: replication?.volumes,
    gateway,
    close: async () => {
      await services.replication?.close();
      await services.hub.close();
      await gateway.close();
      await replication?.nbdTarget.close();
    },
  };
}

async function wireVolumes(
  options: ReplicationWiringOptions,
  cloudstack: NonNullable<ReplicationWiringOptions['cloudstack']>,
): Promise<{ nbdTarget: NbdTarget; volumes: VolumeDaemon }> {
  const { deps } = options;
  const services = deps.agents as AgentServices;
  // A PSK per replication job, added and removed by the replication service; the target reads it per handshake.
  const psk = new Map<string, Buffer>();
  const subsystem = await startVolumeSubsystem({
    cloudstack: cloudstack.client,
    repositories: deps.repositories,
    clock: deps.clock,
    logger: deps.logger,
    dataDir: options.dataDir,
    serverVmId: cloudstack.serverVmId,
    byIdDir: cloudstack.byIdDir,
    deviceWaitTimeoutMs: 30_000,
    nbd: {
      port: options.nbd.port,
      host: options.nbd.host,
      psk,
      isAgent: (identity) => psk.has(identity),
      ...(options.certificate.certPath === '' ? {} : { certPath: options.certificate.certPath }),
      ...(options.certificate.keyPath === '' ? {} : { keyPath: options.certificate.keyPath }),
    },
  });
  const nbdTarget = subsystem.target;
  const volumes = subsystem.daemon;
  const credentials = new VmwareCredentialService({
    credentials: deps.repositories.vmwareCredentials,
    contexts: deps.repositories.contexts,
    secrets: deps.secrets,
    audit: new AuditService({ audit: deps.repositories.audit }),
  });
  const replication = new ReplicationService({
    repositories: deps.repositories,
    joblog: deps.joblog,
    events: deps.events,
    clock: deps.clock,
    logger: deps.logger,
    hub: services.hub,
    volumes,
    nbd: {
      port: nbdTarget.port,
      psk,
      ...(options.nbd.advertisedHost === undefined ? {} : { host: options.nbd.advertisedHost }),
    },
    credentials,
    ...(options.agentSilenceTimeoutMs === undefined ? {} : { agentSilenceTimeoutMs: options.agentSilenceTimeoutMs }),
    ...(options.copy === undefined ? {} : { copy: options.copy }),
  });
  await replication.recoverInterrupted();
  // The routes hold this same object: filling it in makes replication available to them.
  services.replication = replication;
  services.management = new VmManagementService({
    repositories: deps.repositories,
    clock: deps.clock,
    hub: services.hub,
    credentials,
    replication,
    volumes,
  });
  return { nbdTarget, volumes };
}
