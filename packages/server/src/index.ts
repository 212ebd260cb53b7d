export { buildApp, buildAppWithContext, type BuildAppOptions, type BuiltApp } from './app';
export type { AppConfig, AppContext, AppDeps, CoreServices, RoutePlugin } from './app-context';
export { ConfigError, loadServerConfig, type ServerConfig } from './config/server-config';
export { startDevStack, CLI_TOKEN_FILE, type DevStack, type DevStackOptions } from './dev/dev-stack';
export { EventBus } from './events/event-bus';
export { principalOf, SESSION_COOKIE } from './http/auth-hook';
export { errorBody, type ErrorBody } from './http/error-handler';
export { createLogger, REDACT_PATHS } from './logging/logger';
export { SecretBox } from './security/secret-box';
export { loadOrCreateMasterKey, decodeMasterKey } from './security/master-key';
export { ROLES, roleAllows, type Principal, type Role } from './security/roles';
export { startServer, type RunningServer, type StartServerOptions } from './server-runtime';
export { startServerWithAgents, type ServerWithAgents } from './agents/server-with-agents';
export { AgentHub, type RequestOptions as AgentRequestOptions } from './agents/agent-hub';
export { requireAgentServices, requireReplication, type AgentServices } from './agents/agent-services';
export { ReplicationService } from './replication/replication.service';
export { VmManagementService } from './replication/vm-management.service';
export type { AuditContext, AuditEntry, AuditService } from './services/audit.service';
export type { ResolvedVmwareCredential, VmwareCredentialService } from './services/vmware-credential.service';
export type { ResolvedCloudStackConfig, CloudStackConfigService } from './services/cloudstack-config.service';
export {
  VolumeDaemon,
  startVolumeSubsystem,
  volumeExportName,
  volumeSerial,
  type EnsureVolumeInput,
  type ServerAttachment,
  type VolumeCloud,
  type VolumeDaemonDeps,
  type VolumeSnapshotInfo,
  type VolumeSubsystem,
  type VolumeSubsystemOptions,
} from './volumes';
export { DEFAULT_NBD_PORT, NbdTarget, type NbdTargetOptions } from './nbd-target';
export { cloudStackClientFromConfig, discoverCloudStackResources, testCloudStackConnection } from './cloudstack';
