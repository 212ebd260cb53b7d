// What the failover workflows and service are built from; the composition root passes the real services.
import type { Clock } from '@migratekit/core';
import type { Repositories } from '@migratekit/db';
import type { AgentHub } from '../agents/agent-hub';
import type { AgentRouter } from '../agents/agent-router';
import type { CloudStackAccess } from '../cloudstack/cloudstack-access';
import type { GuestConversionService } from '../conversion/guest-conversion.service';
import type { GuestConverter } from '../conversion/guest-converter';
import type { NetworkConfigService } from '../network-mapping/network-config.service';
import type { ReplicationService } from '../replication/replication.service';
import type { AuditService } from '../services/audit.service';
import type { VmwareCredentialService } from '../services/vmware-credential.service';
import type { VolumeService } from '../volumes/volume.service';

export interface FailoverLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface FailoverDeps {
  repositories: Repositories;
  clock: Clock;
  logger: FailoverLogger;
  cloudStack: CloudStackAccess;
  /** The only code that changes CloudStack volumes: snapshots, detach, attach. */
  volumes: VolumeService;
  hub: AgentHub;
  /** The agent serving a vCenter, on this server or relayed through another (docs/scale-out.md). */
  agents: Pick<AgentRouter, 'request' | 'route' | 'anyReachable'>;
  credentials: VmwareCredentialService;
  replication: ReplicationService;
  networkConfig: NetworkConfigService;
  converter: GuestConverter;
  /** The conversion pre-flight: stored inspection, OS support, what would block (docs/conversion.md). */
  guestConversion: Pick<GuestConversionService, 'preflight'>;
  audit: AuditService;
  /** How long CloudStack objects may stay in a transitional state before an inspect gives up. */
  settleTimeoutMs?: number;
}
