// createRepositories(db): every repository over one Kysely instance (or transaction). Repositories are the only
// place with SQL; services get this object in their deps.
import { systemClock, type Clock } from '@migratekit/core';
import type { Kysely } from 'kysely';
import { engineOf } from '../engine-of';
import type { DatabaseSchema } from '../schema';
import { CloudstackVolumeRepository } from './cloudstack-volume.repository';
import { ContextRepository } from './context.repository';
import { DeviceMappingRepository } from './device-mapping.repository';
import { FailoverJobRepository } from './failover-job.repository';
import { GuestInspectionRepository } from './guest-inspection.repository';
import { JobLogRepository } from './job-log.repository';
import { MachineGroupRepository } from './machine-group.repository';
import { NbdExportRepository } from './nbd-export.repository';
import { NetworkMappingRepository } from './network-mapping.repository';
import { NetworkStrategyRepository } from './network-strategy.repository';
import { RecoveryPlanRepository } from './recovery-plan.repository';
import { ReplicationJobRepository } from './replication-job.repository';
import type { RepositoryDeps } from './repository-deps';
import { ScheduleExecutionRepository } from './schedule-execution.repository';
import { ScheduleRepository } from './schedule.repository';
import { SchedulerLeaseRepository } from './scheduler-lease.repository';
import { ServerEventRepository } from './server-event.repository';
import { VmDiskRepository } from './vm-disk.repository';
import { VolumeOperationRepository } from './volume-operation.repository';
import { WorkflowJobRepository } from './workflow-job.repository';
import { WorkflowStepRepository } from './workflow-step.repository';
import { UserRepository } from './user.repository';
import { SessionRepository } from './session.repository';
import { ApiTokenRepository } from './api-token.repository';
import { AuditRepository } from './audit.repository';
import { VmwareCredentialRepository } from './vmware-credential.repository';
import { CloudstackConfigRepository } from './cloudstack-config.repository';
import { AgentRepository } from './agent.repository';
import { AgentPairingTokenRepository } from './agent-pairing-token.repository';
import { AgentRequestRepository } from './agent-request.repository';
import { JobLeaseRepository } from './job-lease.repository';
import { ServerRepository } from './server.repository';

export interface Repositories {
  contexts: ContextRepository;
  replicationJobs: ReplicationJobRepository;
  vmDisks: VmDiskRepository;
  cloudstackVolumes: CloudstackVolumeRepository;
  deviceMappings: DeviceMappingRepository;
  volumeOperations: VolumeOperationRepository;
  nbdExports: NbdExportRepository;
  networkMappings: NetworkMappingRepository;
  networkStrategies: NetworkStrategyRepository;
  failoverJobs: FailoverJobRepository;
  guestInspections: GuestInspectionRepository;
  schedules: ScheduleRepository;
  machineGroups: MachineGroupRepository;
  scheduleExecutions: ScheduleExecutionRepository;
  schedulerLeases: SchedulerLeaseRepository;
  /** Events relayed between servers sharing the database (docs/scale-out.md#events-across-servers). */
  serverEvents: ServerEventRepository;
  recoveryPlans: RecoveryPlanRepository;
  jobLog: JobLogRepository;
  workflowJobs: WorkflowJobRepository;
  workflowSteps: WorkflowStepRepository;
  /** Leases and the queue of plain JobLog jobs across servers (docs/scale-out.md). */
  jobLeases: JobLeaseRepository;
  servers: ServerRepository;
  agentRequests: AgentRequestRepository;
  // Server-owned repositories (users, sessions, api tokens, audit events, vmware credentials, cloudstack
  // configs, agents, pairing tokens) are added here by the server work, next to their entries below.
  users: UserRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  audit: AuditRepository;
  vmwareCredentials: VmwareCredentialRepository;
  cloudstackConfigs: CloudstackConfigRepository;
  agents: AgentRepository;
  agentPairingTokens: AgentPairingTokenRepository;

  /** Runs `work` in one transaction with repositories bound to it; commits when it resolves. */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}

export function createRepositories(db: Kysely<DatabaseSchema>, clock: Clock = systemClock): Repositories {
  const deps: RepositoryDeps = { db, engine: engineOf(db), clock };
  return {
    contexts: new ContextRepository(deps),
    replicationJobs: new ReplicationJobRepository(deps),
    vmDisks: new VmDiskRepository(deps),
    cloudstackVolumes: new CloudstackVolumeRepository(deps),
    deviceMappings: new DeviceMappingRepository(deps),
    volumeOperations: new VolumeOperationRepository(deps),
    nbdExports: new NbdExportRepository(deps),
    networkMappings: new NetworkMappingRepository(deps),
    networkStrategies: new NetworkStrategyRepository(deps),
    failoverJobs: new FailoverJobRepository(deps),
    guestInspections: new GuestInspectionRepository(deps),
    schedules: new ScheduleRepository(deps),
    machineGroups: new MachineGroupRepository(deps),
    scheduleExecutions: new ScheduleExecutionRepository(deps),
    schedulerLeases: new SchedulerLeaseRepository(deps),
    serverEvents: new ServerEventRepository(deps),
    recoveryPlans: new RecoveryPlanRepository(deps),
    jobLog: new JobLogRepository(deps),
    workflowJobs: new WorkflowJobRepository(deps),
    workflowSteps: new WorkflowStepRepository(deps),
    jobLeases: new JobLeaseRepository(deps),
    servers: new ServerRepository(deps),
    agentRequests: new AgentRequestRepository(deps),
    // Server-owned repositories: construct them here from the same deps.
    users: new UserRepository(deps),
    sessions: new SessionRepository(deps),
    apiTokens: new ApiTokenRepository(deps),
    audit: new AuditRepository(deps),
    vmwareCredentials: new VmwareCredentialRepository(deps),
    cloudstackConfigs: new CloudstackConfigRepository(deps),
    agents: new AgentRepository(deps),
    agentPairingTokens: new AgentPairingTokenRepository(deps),

    transaction: (work) => db.transaction().execute((trx) => work(createRepositories(trx, clock))),
  };
}

export * from './repository-deps';
export * from './context.repository';
export * from './replication-job.repository';
export * from './vm-disk.repository';
export * from './cloudstack-volume.repository';
export * from './device-mapping.repository';
export * from './volume-operation.repository';
export * from './nbd-export.repository';
export * from './network-mapping.repository';
export * from './network-strategy.repository';
export * from './failover-job.repository';
export * from './guest-inspection.repository';
export * from './schedule.repository';
export * from './machine-group.repository';
export * from './schedule-execution.repository';
export * from './scheduler-lease.repository';
export * from './server-event.repository';
export * from './recovery-plan.repository';
export * from './job-log.repository';
export * from './workflow-job.repository';
export * from './workflow-step.repository';
export * from './user.repository';
export * from './session.repository';
export * from './api-token.repository';
export * from './audit.repository';
export * from './vmware-credential.repository';
export * from './cloudstack-config.repository';
export * from './agent.repository';
export * from './agent-pairing-token.repository';
export * from './agent-request.repository';
export * from './job-lease.repository';
export * from './server.repository';
