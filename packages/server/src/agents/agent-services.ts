// What the agent, discovery and replication routes use, assembled by the server runtime (dev stack, server).
import { MigrateKitError } from '@migratekit/core';
import type { ReplicationService } from '../replication/replication.service';
import type { VmManagementService } from '../replication/vm-management.service';
import type { AgentHub } from './agent-hub';
import type { AgentPairingService } from './agent-pairing.service';

export interface AgentServices {
  hub: AgentHub;
  pairing: AgentPairingService;
  /** Present once the server can reach CloudStack volumes and its NBD target. */
  replication?: ReplicationService;
  management?: VmManagementService;
}

export function requireAgentServices(services: AgentServices | undefined): AgentServices {
  if (services === undefined)
    throw new MigrateKitError('MKE_NOT_IMPLEMENTED', { message: 'This server runs without the agent link' });
  return services;
}

export function requireReplication(services: AgentServices | undefined): {
  replication: ReplicationService;
  management: VmManagementService;
} {
  const { replication, management } = requireAgentServices(services);
  if (replication === undefined || management === undefined)
    throw new MigrateKitError('MKE_NOT_IMPLEMENTED', {
      message: 'Replication is not configured on this server (no CloudStack configuration or NBD target)',
    });
  return { replication, management };
}
