// What the network mapping services are built from (docs/network-mapping.md): repositories, the clock, the audit
// trail and the active CloudStack.
import type { Clock } from '@migratekit/core';
import type { Repositories } from '@migratekit/db';
import type { CloudStackAccess } from '../cloudstack';
import type { AuditContext, AuditService } from '../services/audit.service';

export interface NetworkMappingDeps {
  repositories: Repositories;
  clock: Clock;
  audit: Pick<AuditService, 'record'>;
  cloudStack: CloudStackAccess;
}

export async function recordDecision(
  deps: Pick<NetworkMappingDeps, 'audit'>,
  ctx: AuditContext,
  action: string,
  contextId: string | undefined,
  details: Record<string, unknown>,
): Promise<void> {
  await deps.audit.record({
    actor: ctx.principal,
    action,
    targetType: 'network_mapping',
    ...(contextId === undefined ? {} : { targetId: contextId, vmContextId: contextId }),
    details,
    ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
  });
}
