// The one place where route plugins are listed. Adding a resource = one import and one entry here.
import type { RoutePlugin } from '../app-context';
import { agentRoutes } from './agent.routes';
import { apiTokenRoutes } from './api-token.routes';
import { auditRoutes } from './audit.routes';
import { authRoutes } from './auth.routes';
import { cloudStackConfigRoutes } from './cloudstack-config.routes';
import { discoveryRoutes } from './discovery.routes';
import { cloudStackDiscoveryRoutes } from './cloudstack-discovery.routes';
import { eventRoutes } from './event.routes';
import { failoverRoutes } from './failover.routes';
import { failoverRecoveryRoutes } from './failover-recovery.routes';
import { guestInspectionRoutes } from './guest-inspection.routes';
import { healthRoutes } from './health.routes';
import { jobRoutes } from './job.routes';
import { machineGroupRoutes } from './machine-group.routes';
import { networkMappingRoutes } from './network-mapping.routes';
import { recoveryPlanRoutes } from './recovery-plan.routes';
import { replicationRoutes } from './replication.routes';
import { scheduleRoutes } from './schedule.routes';
import { setupRoutes } from './setup.routes';
import { userRoutes } from './user.routes';
import { vmContextRoutes } from './vm-context.routes';
import { vmwareCredentialRoutes } from './vmware-credential.routes';
import { volumeRoutes } from './volume.routes';
import { workflowDecisionRoutes } from './workflow-decision.routes';

export const ROUTE_PLUGINS: readonly RoutePlugin[] = [
  healthRoutes,
  authRoutes,
  userRoutes,
  apiTokenRoutes,
  auditRoutes,
  vmwareCredentialRoutes,
  cloudStackConfigRoutes,
  cloudStackDiscoveryRoutes,
  jobRoutes,
  workflowDecisionRoutes,
  eventRoutes,
  volumeRoutes,
  agentRoutes,
  discoveryRoutes,
  replicationRoutes,
  vmContextRoutes,
  networkMappingRoutes,
  failoverRoutes,
  failoverRecoveryRoutes,
  guestInspectionRoutes,
  scheduleRoutes,
  machineGroupRoutes,
  setupRoutes,
  recoveryPlanRoutes,
];
