// OpenAPI shapes of the discovery, replication and VM-context routes. Every object is closed: a field reaches
// clients only once it is declared here, so the SDK types (and the dashboard compiled against them) say
// exactly what the API returns (packages/web/test/api-contract.test.ts checks this).
import { contextStatuses, jobStepStatuses, replicationJobStatuses } from '@migratekit/core';
import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import { Nullable, NullableTimestamp, StatusEnum, Timestamp } from '../http/schemas';
import { VmRpo } from '../scheduler/scheduler.schemas';

function closed<T extends TProperties>(properties: T, title: string): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, title });
}

/** A JSON object whose keys the API does not fix (agent reports, free-form details). */
const FreeForm = Type.Record(Type.String(), Type.Unknown());

const NullableString = Nullable(Type.String());
const NullableInteger = Nullable(Type.Integer());

export const Concern = closed(
  {
    code: Type.String({
      description: 'cbt_disabled, snapshots_present, independent_disk, rdm_disk, name_collision, ...',
    }),
    severity: Type.Union([Type.Literal('blocker'), Type.Literal('warning')]),
    message: Type.String(),
    disk_id: Type.Optional(Type.String()),
    nic_label: Type.Optional(Type.String()),
  },
  'VmConcern',
);

export const DiscoveredDisk = closed(
  {
    id: Type.String({ description: 'disk-<device key>' }),
    label: Type.String(),
    capacity_bytes: Type.Integer(),
    datastore: Type.String(),
    vmdk_path: Type.String(),
    provisioning: Type.String(),
    controller: Type.String(),
    unit_number: NullableInteger,
  },
  'DiscoveredDisk',
);

export const DiscoveredNic = closed(
  {
    label: Type.String(),
    network_name: Type.String({ description: 'The real vSphere network name' }),
    mac_address: Type.String(),
    adapter_type: Type.String(),
    connected: Type.Boolean(),
  },
  'DiscoveredNic',
);

export const DiscoveredVm = closed(
  {
    id: Type.String({ description: 'VMware instance UUID (the VM identity)' }),
    name: Type.String(),
    path: Type.String(),
    datacenter: Type.String(),
    moref: Type.String({ description: 'The vSphere managed object id (vm-123)' }),
    power_state: Type.String(),
    cpus: Type.Integer(),
    memory_mb: Type.Integer(),
    os_type: Type.String(),
    guest_id: Type.String(),
    firmware: Type.String(),
    tools_status: Type.String(),
    cbt_enabled: Type.Boolean(),
    has_snapshots: Type.Boolean(),
    disks: Type.Array(DiscoveredDisk),
    networks: Type.Array(DiscoveredNic),
    concerns: Type.Array(Concern),
    managed: Type.Boolean(),
    existing_context_id: NullableString,
  },
  'DiscoveredVm',
);

export const DiscoverResponse = closed(
  { vcenter_host: Type.String(), datacenter: NullableString, vms: Type.Array(DiscoveredVm) },
  'DiscoverResponse',
);

export const ReplicationJob = closed(
  {
    id: Type.String(),
    vm_context_id: Type.String(),
    replication_type: Type.String({ description: 'initial or incremental' }),
    status: StatusEnum(replicationJobStatuses),
    current_operation: NullableString,
    progress_percent: Type.Number(),
    bytes_transferred: Type.Integer(),
    total_bytes: Nullable(
      Type.Integer({ description: 'Used space for a full copy, the CBT delta for an incremental' }),
    ),
    throughput_current_bps: Nullable(Type.Number()),
    throughput_avg_bps: Nullable(Type.Number()),
    throughput_peak_bps: Nullable(Type.Number()),
    eta_seconds: Nullable(Type.Number()),
    sync_type: NullableString,
    error_message: NullableString,
    error_classification: NullableString,
    snapshot_id: NullableString,
    schedule_execution_id: NullableString,
    vm_group_id: NullableString,
    scheduled_by: NullableString,
    created_at: Timestamp,
    updated_at: Timestamp,
    started_at: NullableTimestamp,
    completed_at: NullableTimestamp,
    last_progress_at: NullableTimestamp,
  },
  'ReplicationJob',
);

/** One disk of a VM as last recorded (per replication job: its change id and sync state). */
export const VmDisk = closed(
  {
    id: Type.String(),
    vm_context_id: Type.String(),
    job_id: NullableString,
    disk_id: Type.String({ description: 'disk-<device key>' }),
    label: NullableString,
    vmdk_path: NullableString,
    datastore: NullableString,
    capacity_bytes: Type.Integer(),
    provisioning: NullableString,
    controller: NullableString,
    unit_number: NullableInteger,
    cloudstack_volume_id: NullableString,
    disk_change_id: NullableString,
    sync_status: Type.String(),
    bytes_synced: Type.Integer(),
    cpu_count: NullableInteger,
    memory_mb: NullableInteger,
    os_type: NullableString,
    firmware: NullableString,
    nics: Nullable(Type.Array(DiscoveredNic)),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  'VmDisk',
);

export const ContextVolume = closed(
  {
    id: Type.String(),
    vm_context_id: Type.String(),
    volume_id: Type.String(),
    name: Type.String(),
    disk_id: NullableString,
    size_bytes: Type.Integer(),
    device_id: NullableInteger,
    attached_vm_id: NullableString,
    mode: Type.String(),
    snapshot_id: NullableString,
    snapshot_status: NullableString,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  'ContextVolume',
);

const ReplicationStep = closed(
  {
    id: Type.String(),
    job_id: Type.String(),
    step_order: Type.Integer(),
    name: Type.String(),
    status: StatusEnum(jobStepStatuses),
    error_code: NullableString,
    error_message: NullableString,
    started_at: Timestamp,
    completed_at: NullableTimestamp,
  },
  'ReplicationStep',
);

export const ReplicationJobDetail = Type.Composite(
  [
    ReplicationJob,
    Type.Object({
      disks: Type.Array(VmDisk),
      steps: Type.Array(ReplicationStep),
      live: Nullable(FreeForm),
    }),
  ],
  { additionalProperties: false, title: 'ReplicationJobDetail' },
);

export const VmContext = closed(
  {
    context_id: Type.String(),
    vm_name: Type.String(),
    vmware_vm_id: Type.String(),
    vm_path: NullableString,
    vcenter_host: NullableString,
    datacenter: NullableString,
    credential_id: NullableString,
    current_status: StatusEnum(contextStatuses),
    current_job_id: NullableString,
    total_jobs_run: Type.Integer(),
    successful_jobs: Type.Integer(),
    failed_jobs: Type.Integer(),
    last_successful_job_id: NullableString,
    cpu_count: NullableInteger,
    memory_mb: NullableInteger,
    os_type: NullableString,
    firmware: NullableString,
    power_state: NullableString,
    vm_tools_status: NullableString,
    active_vmware_vm_id: NullableString,
    cloudstack_config_id: NullableString,
    created_at: Timestamp,
    updated_at: Timestamp,
    first_job_at: NullableTimestamp,
    last_job_at: NullableTimestamp,
    last_status_change: Timestamp,
    last_successful_sync_at: Nullable(
      Type.String({ format: 'date-time', description: 'When the last successful replication completed' }),
    ),
    disk_capacity_bytes: Nullable(
      Type.Integer({ description: "Summed capacity of the VM's disks as last recorded; null before any" }),
    ),
    rpo: Type.Optional(Nullable(VmRpo)),
    active_failover: Type.Optional(
      Nullable(
        Type.Object(
          { job_id: Type.String(), failover_type: Type.String(), status: Type.String() },
          { description: 'The failover (or its cleanup or rollback) that holds the VM now, paused ones included' },
        ),
      ),
    ),
  },
  'VmContext',
);

export const VmContextDetail = Type.Composite(
  [
    VmContext,
    Type.Object({
      disks: Type.Array(VmDisk),
      networks: Type.Array(DiscoveredNic),
      volumes: Type.Array(ContextVolume),
      jobs: Type.Array(ReplicationJob),
      alerts: Type.Optional(
        Type.Array(Type.Literal('rpo_breached'), { description: 'Alert states: rpo_breached past the RPO target' }),
      ),
    }),
  ],
  { additionalProperties: false, title: 'VmContextDetail' },
);

export const AddOutcome = closed(
  {
    context_id: Type.String(),
    vm_name: Type.String(),
    current_status: StatusEnum(contextStatuses),
    job_id: NullableString,
    replication_type: Nullable(Type.Union([Type.Literal('initial'), Type.Literal('incremental')])),
    created: Type.Boolean({ description: 'false when the VM was already managed and only replication started' }),
  },
  'AddToManagementResult',
);

export const BulkAddResponse = closed(
  {
    results: Type.Array(
      closed(
        {
          vm_id: Type.String(),
          ok: Type.Boolean(),
          context_id: Type.Optional(Type.String()),
          job_id: Type.Optional(NullableString),
          created: Type.Optional(Type.Boolean()),
          error: Type.Optional(
            closed({ code: Type.String(), message: Type.String(), details: Type.Optional(FreeForm) }, 'BulkAddError'),
          ),
          existing_context_id: Type.Optional(NullableString),
        },
        'BulkAddResult',
      ),
    ),
  },
  'BulkAddResponse',
);

/** The duplicate answer of docs/model.md#discovery-and-add-to-management inside our error envelope. */
// An error body: open, like ErrorResponse, so request_id and details pass through.
export const ConflictResponse = Type.Object(
  {
    error: Type.Object(
      { code: Type.String(), message: Type.String() },
      { additionalProperties: true, title: 'ConflictError' },
    ),
    details: Type.Optional(Type.String()),
    existing_context_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true, title: 'ConflictResponse' },
);

export function PageOf<T extends TObject>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
}
