// Every service of the server, built exactly once here, in dependency order, from the adapters. Routes receive
// the frozen result; nothing else in packages/server/src calls `new` on a service (an ESLint rule checks it).
// Adding a service is one entry in `Services` and one line below. See docs/architecture.md.
import { setTimeout as delay } from 'node:timers/promises';
import { systemClock } from '@migratekit/core';
import { AgentDirectoryService } from '../agents/agent-directory.service';
import { AgentPairingService } from '../agents/agent-pairing.service';
import { AgentRequestRelay } from '../agents/agent-request-relay';
import { AgentRouter } from '../agents/agent-router';
import { clusterSweep } from '../cluster/cluster-sweep';
import { DEFAULT_ATTACHMENT_SLOTS } from '../config/server-config';
import { QueuedClaimLoop } from '../cluster/queued-claim-loop';
import { ServerPresence } from '../cluster/server-presence';
import { createCloudStackAccess, type CloudStackAccess } from '../cloudstack/cloudstack-access';
import { testCloudStackConnection } from '../cloudstack/cloudstack-connection';
import { VmContextService } from '../contexts/vm-context.service';
import { GuestConversionService } from '../conversion/guest-conversion.service';
import { DiscoveryService } from '../discovery/discovery.service';
import { FailoverService } from '../failover/failover.service';
import { asRegistered, failoverWorkflows } from '../failover/failover-workflows';
import { RecoveryService, agentSourcePower, recoveryWorkflows, type RecoveryDeps } from '../failover/recovery';
import type { NetworkMappingServices } from '../network-mapping';
import { BulkRuleService } from '../network-mapping/bulk-rules.service';
import { NetworkConfigService } from '../network-mapping/network-config.service';
import { NetworkMappingService } from '../network-mapping/network-mapping.service';
import { NetworkStrategyService } from '../network-mapping/network-strategy.service';
import type { JobLog } from '../joblog';
import { RecoveryPlanService, recoveryPlanWorkflows, type RecoveryPlanDeps } from '../recovery-plans';
import { MoverPlacement } from '../replication/mover-placement';
import { ReplicationJobsService } from '../replication/replication-jobs.service';
import { ReplicationService } from '../replication/replication.service';
import { replicationJobStarter } from '../scheduler/job-starter';
import { RpoService } from '../scheduler/rpo.service';
import { ScheduleConfigService } from '../scheduler/schedule-config.service';
import { SchedulerService } from '../scheduler/scheduler.service';
import { VmManagementService } from '../replication/vm-management.service';
import { ApiTokenService } from '../services/api-token.service';
import { AuditService } from '../services/audit.service';
import { AuthService } from '../services/auth.service';
import { forgetFirstAdminPassword } from '../services/bootstrap-admin';
import { SetupService } from '../setup/setup.service';
import { CloudStackConfigService } from '../services/cloudstack-config.service';
import { HealthService } from '../services/health.service';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from '../services/login-throttle';
import { UserService } from '../services/user.service';
import { VmwareCredentialService } from '../services/vmware-credential.service';
import { DeviceResolver, nodeDeviceFs } from '../volumes/device-resolver';
import { VolumeService } from '../volumes/volume.service';
import { VolumeViews } from '../volumes/volume-views';
import { crashHookFromEnv } from '../workflows/crash-points';
import { WorkflowRunner } from '../workflows/workflow-runner';
import type { ServerAdapters } from './adapters';

export interface Services {
  readonly health: HealthService;
  readonly audit: AuditService;
  readonly auth: AuthService;
  readonly users: UserService;
  readonly apiTokens: ApiTokenService;
  readonly vmwareCredentials: VmwareCredentialService;
  readonly cloudStackConfigs: CloudStackConfigService;
  /** The active CloudStack configuration's client (MKE_NOT_CONFIGURED without one). */
  readonly cloudStack: CloudStackAccess;
  readonly agentPairing: AgentPairingService;
  readonly agents: AgentDirectoryService;
  /** The agent serving each vCenter, on this server or relayed through another (docs/scale-out.md). */
  readonly agentRouter: AgentRouter;
  /** Answers the relayed requests other servers wrote for the agents connected here. */
  readonly agentRelay: AgentRequestRelay;
  /** This server's row in `servers`, its heartbeat and the periodic sweep and claims (docs/scale-out.md). */
  readonly presence: ServerPresence;
  /** Claims replications queued for this server's agents between heartbeats. */
  readonly queuedClaims: QueuedClaimLoop;
  /** The only code that changes CloudStack volumes (the volume daemon of docs/model.md). */
  readonly volumes: VolumeService;
  readonly volumeViews: VolumeViews;
  readonly jobs: JobLog;
  readonly discovery: DiscoveryService;
  readonly vmContexts: VmContextService;
  readonly vmManagement: VmManagementService;
  readonly replication: ReplicationService;
  readonly replicationJobs: ReplicationJobsService;
  /** The durable runner of every multi-step change to the target cloud (docs/workflows.md). */
  readonly workflows: WorkflowRunner;
  /** Mappings, strategies, bulk rules and the failover network resolution (docs/network-mapping.md). */
  readonly networkMapping: NetworkMappingServices;
  /** Test and live failover on the workflow runner (docs/failover.md). */
  readonly failover: FailoverService;
  /** Test cleanup, live rollback and the failed-execution cleanup (docs/failover-recovery.md). */
  readonly recovery: RecoveryService;
  /** Ordered stages of groups or VMs failed over by one parent job; undo what ran (docs/recovery-plans.md). */
  readonly recoveryPlans: RecoveryPlanService;
  /** Schedules, machine groups, memberships and execution history as the operator edits them. */
  readonly scheduleConfig: ScheduleConfigService;
  /** The scheduler loop (one leader across servers) and "run now" (docs/scheduler.md). */
  readonly scheduler: SchedulerService;
  /** Per-VM RPO for the VM list, /metrics and rpo.alert events. */
  readonly rpo: RpoService;
  /** Guest inspection stored per VM and the conversion pre-flight verdict (docs/conversion.md). */
  readonly guestConversion: GuestConversionService;
  /** The first-run checklist (docs/install.md#first-run-setup). */
  readonly setup: SetupService;
}

export function createServices(adapters: ServerAdapters): Services {
  const { repositories, clock, logger, secrets, settings, hub, joblog } = adapters;
  const health = new HealthService({
    repositories,
    clock,
    engine: adapters.engine,
    startedAt: adapters.startedAt,
    logger,
  });
  const audit = new AuditService({ audit: repositories.audit });
  const auth = new AuthService({
    users: repositories.users,
    sessions: repositories.sessions,
    apiTokens: repositories.apiTokens,
    clock,
    throttle: new LoginThrottle(clock, settings.loginThrottle ?? DEFAULT_LOGIN_THROTTLE),
    sessionTtlMs: adapters.config.sessionTtlMs,
  });
  const dataDir = adapters.config.dataDir;
  const users = new UserService({
    users: repositories.users,
    sessions: repositories.sessions,
    // The first admin's generated password is kept in the data dir only until it is changed.
    ...(dataDir === undefined ? {} : { onPasswordChanged: forgetFirstAdminPassword(dataDir, logger) }),
  });
  const apiTokens = new ApiTokenService({ apiTokens: repositories.apiTokens, users: repositories.users, clock });
  const vmwareCredentials = new VmwareCredentialService({
    credentials: repositories.vmwareCredentials,
    contexts: repositories.contexts,
    secrets,
    audit,
  });
  const cloudStackConfigs = new CloudStackConfigService({ configs: repositories.cloudstackConfigs, secrets, audit });
  const cloudStack = createCloudStackAccess({
    configs: cloudStackConfigs,
    createClient: adapters.createCloudStackClient,
    serverVmId: settings.dataMover.vmId,
  });
  const agentRouter = new AgentRouter({
    hub,
    repositories,
    clock,
    serverId: settings.serverId,
    secrets,
    ...(settings.relayPollMs === undefined ? {} : { pollMs: settings.relayPollMs }),
  });
  const agentPairing = new AgentPairingService({
    repositories,
    clock,
    serverFingerprint: adapters.certificate.fingerprint256,
  });
  const agents = new AgentDirectoryService({ repositories, hub });
  const volumes = new VolumeService({
    target: async () => {
      const active = await cloudStack.withServerVm();
      return { cloudstack: active.client, serverVmId: active.serverVmId };
    },
    repositories,
    clock,
    logger,
    nbdTarget: adapters.nbdTarget,
    byIdDir: settings.byIdDir,
    deviceWaitTimeoutMs: settings.deviceWaitTimeoutMs,
  });
  const replication = new ReplicationService({
    repositories,
    joblog,
    events: adapters.events,
    clock,
    logger,
    hub,
    placement: new MoverPlacement({ router: agentRouter, repositories, serverId: settings.serverId, logger }),
    volumes,
    nbd: {
      endpoint: () =>
        settings.nbd.listener
          ? {
              via: 'nbd_port',
              ...(settings.nbdAdvertise === undefined ? {} : { host: settings.nbdAdvertise }),
              port: adapters.nbdTarget.port,
            }
          : { via: 'agent_port' },
      psk: adapters.nbdPsk,
    },
    credentials: vmwareCredentials,
    ...(settings.agentSilenceTimeoutMs === undefined ? {} : { agentSilenceTimeoutMs: settings.agentSilenceTimeoutMs }),
    ...(settings.copy === undefined ? {} : { copy: settings.copy }),
    ...(settings.dataMover.attachmentSlots === undefined
      ? {}
      : { attachmentSlots: settings.dataMover.attachmentSlots }),
  });
  const networkDeps = { repositories, clock, audit, cloudStack };
  const mappings = new NetworkMappingService(networkDeps);
  const strategies = new NetworkStrategyService(networkDeps);
  const networkMapping: NetworkMappingServices = Object.freeze({
    mappings,
    strategies,
    networkConfig: new NetworkConfigService(networkDeps, mappings, strategies),
    bulkRules: new BulkRuleService(networkDeps, mappings.catalog),
  });
  const guestConversion = new GuestConversionService({
    converter: adapters.converter,
    repositories,
    devices: new DeviceResolver({
      fs: nodeDeviceFs,
      clock,
      byIdDir: settings.byIdDir,
      timeoutMs: settings.deviceWaitTimeoutMs,
      pollIntervalMs: 250,
    }),
    logger: logger.child({ component: 'guest-conversion' }),
  });
  const failoverDeps = {
    repositories,
    clock,
    logger,
    cloudStack,
    volumes,
    hub,
    agents: agentRouter,
    credentials: vmwareCredentials,
    replication,
    networkConfig: networkMapping.networkConfig,
    converter: adapters.converter,
    guestConversion,
    audit,
  };
  const failoverFlows = failoverWorkflows(failoverDeps);
  const recoveryDeps: RecoveryDeps = {
    repositories,
    volumes,
    cloud: async () => {
      const active = await cloudStack.withServerVm();
      return { client: active.client, serverVmId: active.serverVmId };
    },
    sourcePower: agentSourcePower({ agents: agentRouter, credentials: vmwareCredentials, repositories }),
    clock,
    logger,
    pause: (ms, signal) => delay(ms, undefined, { signal }),
  };
  const recoveryFlows = recoveryWorkflows(recoveryDeps);
  // The plan's stages start failovers through the failover service, which needs the runner first: bound late.
  let startChildFailover: RecoveryPlanDeps['startFailover'] = () => Promise.reject(new Error('not wired yet'));
  const planFlows = recoveryPlanWorkflows({
    repositories,
    clock,
    logger,
    startFailover: (request) => startChildFailover(request),
    cloud: async () => (await cloudStack.active()).client,
    pause: (ms, signal) => delay(ms, undefined, { signal }),
  });
  const crashHook = adapters.crashHook ?? crashHookFromEnv();
  const workflows = new WorkflowRunner({
    repositories,
    joblog,
    clock,
    logger,
    serverId: settings.serverId,
    lease: settings.presence,
    // Every workflow a server can run or take over (docs/workflows.md).
    workflows: [...asRegistered(failoverFlows), ...Object.values(recoveryFlows), ...planFlows.values()],
    ...(crashHook === undefined ? {} : { crashHook }),
  });
  const failover = new FailoverService({
    ...failoverDeps,
    runner: workflows,
    workflows: failoverFlows,
    events: adapters.events,
  });
  const recovery = new RecoveryService({
    repositories,
    runner: workflows,
    workflows: recoveryFlows,
    recovery: recoveryDeps,
    audit,
    clock,
    events: adapters.events,
  });
  startChildFailover = (request) => failover.start(request);
  const recoveryPlans = new RecoveryPlanService({
    repositories,
    runner: workflows,
    workflows: planFlows,
    recovery,
    audit,
    clock,
    logger,
    events: adapters.events,
  });
  // Whether another server holds an agent: read at each heartbeat, for the scheduler's synchronous check.
  let agentsElsewhere = false;
  const publish = (event: Parameters<typeof adapters.events.publish>[0]): void => adapters.events.publish(event);
  const rpo = new RpoService({ repositories, clock, publish });
  const scheduler = new SchedulerService({
    repositories,
    clock,
    logger,
    jobs: replicationJobStarter(replication),
    agentsOnline: () => hub.list().length > 0 || agentsElsewhere,
    publish,
    serverId: settings.serverId,
    rpo,
    ...(settings.scheduler === undefined ? {} : { timings: settings.scheduler }),
  });
  const setup = new SetupService({
    credentials: vmwareCredentials,
    cloudStackConfigs,
    // Signatures expire against CloudStack's own wall clock; a checklist answers quickly or says why not.
    testCloudStack: (target) => testCloudStackConnection(target, { clock: systemClock, requestTimeoutMs: 5_000 }),
    agents,
    audit,
  });
  const presence = new ServerPresence({
    repositories,
    clock,
    logger,
    serverId: settings.serverId,
    dataMover: {
      vmId: settings.dataMover.vmId ?? null,
      attachmentSlots: settings.dataMover.attachmentSlots ?? DEFAULT_ATTACHMENT_SLOTS,
    },
    timings: settings.presence,
    afterHeartbeat: async () => {
      await clusterSweep({ joblog, replication, logger });
      agentsElsewhere = await agentRouter.anyReachable();
    },
  });
  return Object.freeze({
    health,
    agentRouter,
    agentRelay: new AgentRequestRelay({
      hub,
      requests: repositories.agentRequests,
      clock,
      logger,
      serverId: settings.serverId,
      secrets,
      ...(settings.relayPollMs === undefined ? {} : { pollMs: settings.relayPollMs }),
    }),
    presence,
    queuedClaims: new QueuedClaimLoop({ claim: () => replication.claimQueued(), clock, logger }),
    setup,
    failover,
    recovery,
    recoveryPlans,
    rpo,
    scheduler,
    scheduleConfig: new ScheduleConfigService({ repositories, clock, audit }),
    workflows,
    networkMapping,
    audit,
    auth,
    users,
    apiTokens,
    vmwareCredentials,
    cloudStackConfigs,
    cloudStack,
    agentPairing,
    agents,
    volumes,
    volumeViews: new VolumeViews(repositories),
    jobs: joblog,
    discovery: new DiscoveryService({ repositories, agents: agentRouter, credentials: vmwareCredentials }),
    vmContexts: new VmContextService({ repositories, rpo }),
    vmManagement: new VmManagementService({
      repositories,
      clock,
      agents: agentRouter,
      credentials: vmwareCredentials,
      replication,
      volumes,
    }),
    replication,
    replicationJobs: new ReplicationJobsService({ repositories, joblog, replication }),
    guestConversion,
  });
}
