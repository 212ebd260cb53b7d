// Friendly names for the API shapes the dashboard reads. Every one is derived from the generated SDK (the
// server's OpenAPI document), so a field the API does not return is a compile error here, not an empty cell.
import type { Operations } from '@migratekit/sdk';

/** What an SDK operation resolves to. */
export type Result<K extends keyof Operations> = Awaited<ReturnType<Operations[K]>>;
type Item<T> = T extends { items: (infer I)[] } ? I : never;

export type User = Result<'getUsersById'>;
export type Role = User['role'];

export type VmContext = Item<Result<'getVmContexts'>>;
export type VmContextDetail = Result<'getVmContextsById'>;
export type ReplicationJob = VmContextDetail['jobs'][number];
export type VmDisk = VmContextDetail['disks'][number];
export type ReplicationDetails = Result<'getReplicationsById'>;

export type Job = Item<Result<'getJobs'>>;
export type JobDetail = Result<'getJobsById'>;
export type JobStep = JobDetail['steps'][number];
export type LogEvent = JobDetail['logs'][number];

export type VmwareCredential = Item<Result<'getVmwareCredentials'>>;
export type CloudStackConfig = Item<Result<'getCloudstackConfigs'>>;
export type DiscoveredResources = Result<'postCloudstackDiscoverResources'>;
export type Agent = Item<Result<'getAgents'>>;
export type ApiToken = Item<Result<'getApiTokens'>>;
export type NewApiToken = Result<'postApiTokens'>;
export type DiscoveredVm = Result<'postDiscover'>['vms'][number];
export type BulkAddResult =
  Result<'postReplications'> extends infer R ? (R extends { results: (infer I)[] } ? I : never) : never;
export type PairingToken = Result<'postAgentsPairingTokens'>;
export type SetupStatus = Result<'getSetupStatus'>;
export type SetupStep = SetupStatus['steps'][number];
