// Kysely table types for every table of docs/model.md#tables. The three drivers are configured (see open-database.ts)
// so a row reads back the same everywhere: timestamps as Date (UTC, millisecond precision), booleans as boolean, BIGINT
// counters as number. JSON columns are TEXT holding serialized JSON; repositories parse and serialize.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A UTC timestamp with millisecond precision. */
export type Timestamp = Date;
/** A TEXT column that holds serialized JSON; repositories own the (de)serialization. */
export type JsonText = string;
/** A column with a database default: optional on insert. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface VmReplicationContextTable {
  context_id: string;
  vm_name: string;
  vmware_vm_id: string;
  /** Equals vmware_vm_id while the context is active, NULL once completed: a unique key every engine supports. */
  active_vmware_vm_id: string | null;
  vm_path: string | null;
  vcenter_host: string | null;
  datacenter: string | null;
  credential_id: string | null;
  cloudstack_config_id: string | null;
  current_status: string;
  current_job_id: string | null;
  total_jobs_run: Defaulted<number>;
  successful_jobs: Defaulted<number>;
  failed_jobs: Defaulted<number>;
  last_successful_job_id: string | null;
  cpu_count: number | null;
  memory_mb: number | null;
  os_type: string | null;
  firmware: string | null;
  power_state: string | null;
  vm_tools_status: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  first_job_at: Timestamp | null;
  last_job_at: Timestamp | null;
  last_status_change: Timestamp;
}

export interface ReplicationJobTable {
  id: string;
  vm_context_id: string;
  replication_type: string;
  status: string;
  current_operation: string | null;
  progress_percent: Defaulted<number>;
  bytes_transferred: Defaulted<number>;
  total_bytes: number | null;
  throughput_current_bps: number | null;
  throughput_avg_bps: number | null;
  throughput_peak_bps: number | null;
  eta_seconds: number | null;
  sync_type: string | null;
  error_message: string | null;
  error_classification: string | null;
  snapshot_id: string | null;
  schedule_execution_id: string | null;
  vm_group_id: string | null;
  scheduled_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  last_progress_at: Timestamp | null;
}

export interface VmDiskTable {
  id: string;
  vm_context_id: string;
  job_id: string | null;
  disk_id: string;
  label: string | null;
  vmdk_path: string | null;
  datastore: string | null;
  capacity_bytes: number;
  provisioning: string | null;
  controller: string | null;
  unit_number: number | null;
  cloudstack_volume_id: string | null;
  disk_change_id: string | null;
  sync_status: string;
  bytes_synced: Defaulted<number>;
  cpu_count: number | null;
  memory_mb: number | null;
  os_type: string | null;
  firmware: string | null;
  nics: JsonText | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CloudstackVolumeTable {
  id: string;
  vm_context_id: string;
  volume_id: string;
  name: string;
  disk_id: string | null;
  size_bytes: number;
  device_id: number | null;
  attached_vm_id: string | null;
  mode: string;
  snapshot_id: string | null;
  snapshot_status: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeviceMappingTable {
  volume_id: string;
  vm_context_id: string | null;
  vm_id: string | null;
  linux_device_path: string | null;
  persistent_device_name: string | null;
  symlink_path: string | null;
  size: number | null;
  cloudstack_state: string | null;
  linux_state: string | null;
  last_sync: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VolumeOperationTable {
  id: string;
  vm_context_id: string | null;
  type: string;
  status: string;
  volume_id: string | null;
  vm_id: string | null;
  request: JsonText | null;
  response: JsonText | null;
  error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface NbdExportTable {
  export_name: string;
  vm_context_id: string | null;
  volume_id: string;
  device_path: string;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NetworkMappingTable {
  id: string;
  vm_context_id: string;
  source_network_name: string;
  destination_network_id: string;
  destination_network_name: string | null;
  is_test_network: boolean;
  validation_status: string;
  last_validated: Timestamp | null;
  /** Why the last validation found the destination unusable (null when valid or never validated). */
  validation_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** network_strategies: how a failover of one VM resolves its networks (docs/network-mapping.md). */
export interface NetworkStrategyTable {
  vm_context_id: string;
  /** production, isolated or custom; null = by failover type (live: production, test: isolated). */
  strategy: string | null;
  /** A NIC without a mapping fails validation instead of falling back to the default network. */
  strict_mapping: boolean;
  custom_overrides: JsonText | null;
  nic_policies: JsonText | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** guest_inspections: the latest inspection of a VM's disks (docs/conversion.md). */
export interface GuestInspectionTable {
  vm_context_id: string;
  os_family: string;
  distribution: string | null;
  version: string | null;
  kernel: string | null;
  convertible: boolean;
  reason: string | null;
  devices: JsonText;
  inspected_at: Timestamp;
}

export interface FailoverJobTable {
  job_id: string;
  vm_context_id: string;
  replication_job_id: string | null;
  job_type: string;
  status: string;
  source_vm_name: string;
  source_vm_spec: JsonText | null;
  destination_vm_id: string | null;
  /** JSON object: CloudStack volume id -> snapshot id taken before failover. */
  volume_snapshots: JsonText | null;
  /** JSON array of the network mappings the failover used. */
  network_mappings: JsonText | null;
  options: JsonText | null;
  error_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface JobTrackingTable {
  id: string;
  external_job_id: string;
  parent_job_id: string | null;
  vm_context_id: string | null;
  job_type: string;
  operation: string;
  status: string;
  owner: string | null;
  progress_percent: Defaulted<number>;
  /** Set when the job reports its own progress instead of steps done / total steps. */
  progress_explicit: Defaulted<boolean>;
  total_steps: number | null;
  completed_steps: Defaulted<number>;
  error_code: string | null;
  error_message: string | null;
  metadata: JsonText | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  /** Workflow jobs only (docs/workflows.md): the workflow's name, its input and what a takeover does. */
  workflow_name: Defaulted<string | null>;
  workflow_input: Defaulted<JsonText | null>;
  takeover_policy: Defaulted<string | null>;
  /** The server that owns the job, until lease_expires_at; another server may take it over afterwards. */
  lease_owner: Defaulted<string | null>;
  lease_expires_at: Defaulted<Timestamp | null>;
  /** Why a paused job waits for the operator. */
  pause_reason: Defaulted<string | null>;
  /** The agent a plain job is routed to; a queued job waits for the server holding it (docs/scale-out.md). */
  agent_id: Defaulted<string | null>;
}

export interface JobStepTable {
  id: string;
  job_id: string;
  step_order: number;
  name: string;
  status: string;
  error_code: string | null;
  error_message: string | null;
  started_at: Timestamp;
  completed_at: Timestamp | null;
  /** Workflow steps only: the workflow step's name, 'run' or 'compensate', and the step's output (JSON). */
  step_key: Defaulted<string | null>;
  step_kind: Defaulted<string | null>;
  output: Defaulted<JsonText | null>;
}

export interface LogEventTable {
  /** Auto-increment: orders events written in the same millisecond. */
  id: Generated<number>;
  job_id: string | null;
  step: string | null;
  level: string;
  message: string;
  fields: JsonText | null;
  created_at: Timestamp;
}

/** An event one server published for the others (docs/scale-out.md#events-across-servers). */
export interface ServerEventTable {
  /** Auto-increment: the order the other servers read the events in. */
  id: Generated<number>;
  /** The publishing server's id (MIGRATEKIT_SERVER_ID): it skips its own rows. */
  origin: string;
  event_type: string;
  /** The event as JSON (dates as ISO-8601 strings). */
  payload: JsonText;
  created_at: Timestamp;
}

export interface ReplicationScheduleTable {
  id: string;
  name: string;
  description: string | null;
  /** Six fields, seconds first. */
  cron_expression: string;
  timezone: string;
  enabled: boolean;
  replication_type: string;
  max_concurrent_jobs: number;
  retry_attempts: number;
  /** Seconds between retries. */
  retry_delay: number;
  skip_if_running: boolean;
  /** After downtime: 'skip' the missed ticks (recorded as one skipped execution) or 'run_once' for all of them. */
  catch_up_policy: Defaulted<string>;
  /** The data loss the operator accepts; null = twice the cron interval. */
  target_rpo_seconds: number | null;
  created_by: string | null;
  last_run_at: Timestamp | null;
  next_run_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VmMachineGroupTable {
  id: string;
  name: string;
  description: string | null;
  schedule_id: string | null;
  max_concurrent_vms: number;
  priority: number;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VmGroupMembershipTable {
  id: string;
  group_id: string;
  vm_context_id: string;
  enabled: boolean;
  priority: number;
  schedule_override_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** recovery_plans: an ordered list of stages for test or live failover (docs/recovery-plans.md). */
export interface RecoveryPlanTable {
  id: string;
  name: string;
  description: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RecoveryPlanStageTable {
  id: string;
  plan_id: string;
  /** 0-based order of the stage in its plan. */
  position: number;
  name: string;
  /** What the next stage waits for: completed, running (target VMs Running in CloudStack) or delay. */
  wait_condition: string;
  /** The delay after the stage ('delay'), or how long to wait for Running ('running'). */
  wait_seconds: number;
}

/** One member of a stage: a machine group (group_id) or one VM (vm_context_id), exactly one of them set. */
export interface RecoveryPlanMemberTable {
  id: string;
  stage_id: string;
  position: number;
  group_id: string | null;
  vm_context_id: string | null;
}

export interface RecoveryPlanRunTable {
  id: string;
  plan_id: string;
  plan_name: string;
  /** The parent workflow job (job_tracking.id); its child failover jobs carry it as parent_job_id. */
  job_id: string;
  failover_type: string;
  status: string;
  stage_count: number;
  error_message: string | null;
  /** JSON array of the cleanup/rollback jobs "undo" started, one per child failover that had completed. */
  undo_jobs: JsonText | null;
  requested_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface ScheduleExecutionTable {
  id: string;
  schedule_id: string | null;
  group_id: string | null;
  status: string;
  scheduled_at: Timestamp;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  vms_eligible: Defaulted<number>;
  jobs_created: Defaulted<number>;
  jobs_completed: Defaulted<number>;
  jobs_failed: Defaulted<number>;
  jobs_skipped: Defaulted<number>;
  /** JSON array of per-VM outcomes, with the skip reason when a VM was skipped. */
  details: JsonText | null;
  error: string | null;
  triggered_by: string;
  /** schedule id + scheduled time for cron ticks (unique: a tick runs once); null for manual runs. */
  tick_key: string | null;
  created_at: Timestamp;
}

export interface SchedulerLeaseTable {
  /** The lease's name ('scheduler'): one row per leadership. */
  name: string;
  /** The server (MIGRATEKIT_SERVER_ID) that holds it. */
  owner: string;
  acquired_at: Timestamp;
  expires_at: Timestamp;
}

export interface VmwareCredentialTable {
  id: string;
  name: string;
  vcenter_host: string;
  username: string;
  /** AES-256-GCM ciphertext; never the clear password. */
  password: string;
  datacenter: string | null;
  is_active: boolean;
  is_default: boolean;
  last_used: Timestamp | null;
  usage_count: Defaulted<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CloudstackConfigTable {
  id: string;
  name: string;
  api_url: string;
  api_key: string;
  /** AES-256-GCM ciphertext; never the clear secret. */
  secret_key: string;
  zone_id: string | null;
  domain_id: string | null;
  template_id: string | null;
  service_offering_id: string | null;
  disk_offering_id: string | null;
  server_vm_id: string | null;
  default_network_id: string | null;
  is_active: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AgentTable {
  id: string;
  name: string;
  status: string;
  version: string | null;
  last_seen: Timestamp | null;
  certificate_fingerprint: string | null;
  /** JSON array of the vCenter hosts this agent serves. */
  scope: JsonText | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The server (MIGRATEKIT_SERVER_ID) whose agent listener holds this agent's link; null while offline. */
  server_id: Defaulted<string | null>;
}

/** One row per running server (docs/scale-out.md); dead once lease_expires_at passed without a heartbeat. */
export interface ServerTable {
  id: string;
  api_url: string | null;
  agent_url: string | null;
  /** SHA-256 of the agent listener's certificate (lower-case hex): agents pin each server by it. */
  agent_fingerprint: string | null;
  /** The CloudStack VM this server runs in (its data mover), where replication volumes are attached. */
  data_mover_vm_id: string | null;
  attachment_slots: number;
  started_at: Timestamp;
  heartbeat_at: Timestamp;
  lease_expires_at: Timestamp;
}

/** A short agent request relayed through the database to the server holding the agent. */
export interface AgentRequestTable {
  id: string;
  agent_id: string;
  method: string;
  params: JsonText;
  timeout_ms: number;
  /** pending -> claimed -> succeeded | failed */
  status: string;
  requested_by: string;
  claimed_by: string | null;
  result: JsonText | null;
  error: JsonText | null;
  created_at: Timestamp;
  deadline_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface AgentPairingTokenTable {
  /** sha256 hex of the one-time token; the token itself is never stored. */
  token_hash: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  agent_id: string | null;
  created_by: string | null;
  created_at: Timestamp;
}

export interface UserTable {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  is_active: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_login_at: Timestamp | null;
}

export interface SessionTable {
  /** sha256 hex of the cookie token. */
  id: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  /** sha256 hex of the bearer token. */
  token_hash: string;
  /** First characters of the token, shown so an operator can tell tokens apart. */
  token_prefix: string | null;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface AuditEventTable {
  id: string;
  actor: string;
  actor_user_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** Not a foreign key: the audit trail outlives the context it talks about. */
  vm_context_id: string | null;
  details: JsonText | null;
  outcome: string | null;
  request_id: string | null;
  created_at: Timestamp;
}

export interface DatabaseSchema {
  vm_replication_contexts: VmReplicationContextTable;
  replication_jobs: ReplicationJobTable;
  vm_disks: VmDiskTable;
  cloudstack_volumes: CloudstackVolumeTable;
  device_mappings: DeviceMappingTable;
  volume_operations: VolumeOperationTable;
  nbd_exports: NbdExportTable;
  network_mappings: NetworkMappingTable;
  network_strategies: NetworkStrategyTable;
  failover_jobs: FailoverJobTable;
  guest_inspections: GuestInspectionTable;
  job_tracking: JobTrackingTable;
  job_steps: JobStepTable;
  log_events: LogEventTable;
  replication_schedules: ReplicationScheduleTable;
  vm_machine_groups: VmMachineGroupTable;
  vm_group_memberships: VmGroupMembershipTable;
  schedule_executions: ScheduleExecutionTable;
  recovery_plans: RecoveryPlanTable;
  recovery_plan_stages: RecoveryPlanStageTable;
  recovery_plan_members: RecoveryPlanMemberTable;
  recovery_plan_runs: RecoveryPlanRunTable;
  scheduler_leases: SchedulerLeaseTable;
  server_events: ServerEventTable;
  vmware_credentials: VmwareCredentialTable;
  cloudstack_configs: CloudstackConfigTable;
  agents: AgentTable;
  servers: ServerTable;
  agent_requests: AgentRequestTable;
  agent_pairing_tokens: AgentPairingTokenTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  audit_events: AuditEventTable;
}

export type TableName = keyof DatabaseSchema;
export type Row<T extends TableName> = Selectable<DatabaseSchema[T]>;
export type NewRow<T extends TableName> = Insertable<DatabaseSchema[T]>;
export type RowUpdate<T extends TableName> = Updateable<DatabaseSchema[T]>;

/** The engines openDatabase supports; 'mysql' is MariaDB 10.11 (or MySQL) through mysql2. */
export type DatabaseEngine = 'sqlite' | 'postgres' | 'mysql';
