export { buildApp, type BuildAppOptions, type BuiltApp } from './app';
export type { AppConfig, AppContext, RouteDeps, RoutePlugin } from './app-context';
export { compose, type Composition } from './composition/compose';
export type { AdapterInput, ServerAdapters, ServerSettings } from './composition/adapters';
export type { Services } from './composition/services';
export { ConfigError, loadServerConfig, type ServerConfig } from './config/server-config';
export { EventBus } from './events/event-bus';
export type { ServerEvent } from './events/event-types';
export { principalOf, SESSION_COOKIE } from './http/auth-hook';
export { errorBody, type ErrorBody } from './http/error-handler';
export { createLogger, REDACT_PATHS } from './logging/logger';
export { SecretBox } from './security/secret-box';
export { FIRST_ADMIN_PASSWORD_FILE } from './services/bootstrap-admin';
export { loadOrCreateMasterKey, decodeMasterKey } from './security/master-key';
export { ROLES, roleAllows, type Principal, type Role } from './security/roles';
export { startServer, type RunningServer, type StartServerOptions } from './server-runtime';
export { AgentHub, type RequestOptions as AgentRequestOptions } from './agents/agent-hub';
export type { ReplicationService } from './replication/replication.service';
export type { VmManagementService } from './replication/vm-management.service';
export type { AuditContext, AuditEntry, AuditService } from './services/audit.service';
export type { ResolvedVmwareCredential, VmwareCredentialService } from './services/vmware-credential.service';
export type { ResolvedCloudStackConfig, CloudStackConfigService } from './services/cloudstack-config.service';
export {
  VolumeService,
  volumeExportName,
  volumeSerial,
  type EnsureVolumeInput,
  type ServerAttachment,
  type VolumeCloud,
  type VolumeServiceDeps,
  type VolumeSnapshotInfo,
} from './volumes';
export { NbdTarget, type NbdTargetOptions } from './nbd-target';
export { cloudStackClientFromConfig, discoverCloudStackResources, testCloudStackConnection } from './cloudstack';
export { checkServer, type CheckItem } from './lifecycle/server-check';
export { migrateDatabase, type MigrationPlan } from './lifecycle/migrate';
export { backupServer, restoreServer, type BackupResult, type RestoreResult } from './lifecycle/backup';
