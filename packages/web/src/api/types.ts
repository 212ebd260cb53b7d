// Shapes the dashboard reads, following docs/model.md (tables and flows). Endpoints the generated SDK already types are
// called through it; these describe the rest until the server publishes them in its OpenAPI document.

export type Role = 'admin' | 'operator' | 'viewer';

export interface User {
  id: string;
  username: string;
  role: Role;
  created_at?: string;
  last_login_at?: string | null;
  is_active?: boolean;
}

export interface Page<T> {
  items: T[];
  total?: number;
  next_cursor?: string | null;
}

export type ContextStatus =
  | 'discovered'
  | 'replicating'
  | 'ready_for_failover'
  | 'failed_over_test'
  | 'failed_over_live'
  | 'completed'
  | 'failed'
  | 'cleanup_required';

export interface VmContext {
  context_id: string;
  vm_name: string;
  vmware_vm_id: string;
  vm_path?: string;
  vcenter_host?: string;
  datacenter?: string;
  credential_id?: string | null;
  current_status: ContextStatus;
  current_job_id?: string | null;
  total_jobs_run?: number;
  successful_jobs?: number;
  failed_jobs?: number;
  cpu_count?: number | null;
  memory_mb?: number | null;
  os_type?: string | null;
  firmware?: string | null;
  power_state?: string | null;
  last_successful_sync_at?: string | null;
  last_job_at?: string | null;
  next_run_at?: string | null;
  total_bytes?: number | null;
  agent_name?: string | null;
  agent_id?: string | null;
  created_at?: string;
  last_status_change?: string | null;
}

export interface VmDisk {
  disk_id: string;
  label?: string;
  capacity_bytes?: number;
  datastore?: string;
  vmdk_path?: string;
  provisioning?: string;
  controller?: string;
  cloudstack_volume_id?: string | null;
  disk_change_id?: string | null;
  sync_status?: string | null;
}

export interface VmNic {
  label: string;
  network_name: string;
  mac_address?: string;
  adapter_type?: string;
  connected?: boolean;
}

export interface CloudStackVolume {
  volume_id: string;
  name?: string;
  disk_id?: string;
  size_bytes?: number;
  attached_vm_id?: string | null;
  mode?: string;
  device_id?: number | null;
}

export interface VmContextDetail extends VmContext {
  disks?: VmDisk[];
  networks?: VmNic[];
  volumes?: CloudStackVolume[];
  jobs?: ReplicationJob[];
}

export interface ReplicationJob {
  id: string;
  vm_context_id?: string;
  replication_type?: string;
  status: string;
  progress_percent?: number;
  bytes_transferred?: number;
  total_bytes?: number;
  created_at?: string;
  completed_at?: string | null;
  error_message?: string | null;
}

export interface JobStep {
  name: string;
  seq?: number;
  step_order?: number;
  error_code?: string | null;
  status: string;
  started_at?: string | null;
  completed_at?: string | null;
  error?: string | null;
  error_message?: string | null;
}

export interface LogEvent {
  id?: number | string;
  ts?: string;
  created_at?: string;
  level: string;
  step?: string | null;
  message: string;
  fields?: Record<string, unknown> | null;
}

export interface Job {
  id: string;
  external_job_id?: string | null;
  kind?: string;
  type?: string;
  job_type?: string;
  operation?: string;
  error_code?: string | null;
  status: string;
  context_id?: string | null;
  vm_context_id?: string | null;
  progress_percent?: number | null;
  total_steps?: number | null;
  created_at?: string;
  started_at?: string | null;
  completed_at?: string | null;
  error_message?: string | null;
  error?: string | null;
  steps?: JobStep[];
  logs?: LogEvent[];
  bytes_transferred?: number | null;
  total_bytes?: number | null;
}

export interface VmwareCredential {
  id: string;
  name: string;
  vcenter_host: string;
  username: string;
  datacenter?: string | null;
  is_active?: boolean;
  is_default?: boolean;
  last_used?: string | null;
  usage_count?: number;
  created_at?: string;
}

export interface CloudStackConfig {
  id: string;
  name: string;
  api_url: string;
  api_key?: string;
  has_secret_key?: boolean;
  zone_id?: string | null;
  domain_id?: string | null;
  template_id?: string | null;
  service_offering_id?: string | null;
  disk_offering_id?: string | null;
  server_vm_id?: string | null;
  default_network_id?: string | null;
  is_active?: boolean;
}

export interface NamedResource {
  id: string;
  name: string;
}

export interface DiscoveredResources {
  zones?: NamedResource[];
  domains?: NamedResource[];
  templates?: NamedResource[];
  service_offerings?: NamedResource[];
  disk_offerings?: NamedResource[];
  networks?: (NamedResource & { type?: string; is_test_candidate?: boolean })[];
}

export interface Agent {
  id: string;
  name: string;
  status: string;
  version?: string | null;
  last_seen?: string | null;
  scope?: string[] | string | null;
}

export interface ApiToken {
  id: string;
  name: string;
  created_at?: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
  token_prefix?: string | null;
  token?: string;
}

export interface DiscoveredVm {
  id: string;
  name: string;
  path?: string;
  power_state?: string;
  cpus?: number;
  memory_mb?: number;
  os_type?: string;
  guest_id?: string;
  firmware?: string;
  tools_status?: string;
  cbt_enabled?: boolean;
  snapshot_count?: number;
  disks?: VmDisk[];
  networks?: VmNic[];
  concerns?: (string | { code: string; severity: 'blocker' | 'warning'; message: string })[];
  existing_context_id?: string | null;
  managed?: boolean;
}

export interface DiscoverResult {
  vms: DiscoveredVm[];
  datacenter?: string;
  vcenter_host?: string;
}
