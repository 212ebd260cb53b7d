// OpenAPI shapes of the discovery, replication and VM-context routes. The main fields are typed for the SDK
// and the dashboard; objects stay open (additionalProperties) so a new column reaches clients before its
// schema line does.
import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import { contextStatuses, replicationJobStatuses } from '@migratekit/core';
import { Nullable, NullableTimestamp, StatusEnum, Timestamp } from '../http/schemas';

function open<T extends TProperties>(properties: T, title: string): TObject<T> {
  return Type.Object(properties, { additionalProperties: true, title });
}

const NullableString = Nullable(Type.String());
const NullableInteger = Nullable(Type.Integer());

export const Concern = open(
  {
    code: Type.String({
      description: 'cbt_disabled, snapshots_present, independent_disk, rdm_disk, name_collision, ...',
    }),
    severity: Type.Union([Type.Literal('blocker'), Type.Literal('warning')]),
    message: Type.String(),
  },
  'VmConcern',
);

export const DiscoveredDisk = open(
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

export const DiscoveredNic = open(
  {
    label: Type.String(),
    network_name: Type.String({ description: 'The real vSphere network name' }),
    mac_address: Type.String(),
    adapter_type: Type.String(),
    connected: Type.Boolean(),
  },
  'DiscoveredNic',
);

export const DiscoveredVm = open(
  {
    id: Type.String({ description: 'VMware instance UUID (the VM identity)' }),
    name: Type.String(),
    path: Type.String(),
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

export const DiscoverResponse = open(
  { vcenter_host: Type.String(), datacenter: NullableString, vms: Type.Array(DiscoveredVm) },
  'DiscoverResponse',
);

export const ReplicationJob = open(
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
    created_at: Timestamp,
    started_at: NullableTimestamp,
    completed_at: NullableTimestamp,
    last_progress_at: NullableTimestamp,
  },
  'ReplicationJob',
);

export const VmContext = open(
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
    created_at: Timestamp,
    last_job_at: NullableTimestamp,
    last_status_change: Timestamp,
  },
  'VmContext',
);

export const AddOutcome = open(
  {
    context_id: Type.String(),
    vm_name: Type.String(),
    current_status: StatusEnum(contextStatuses),
    job_id: NullableString,
    replication_type: NullableString,
    created: Type.Boolean({ description: 'false when the VM was already managed and only replication started' }),
  },
  'AddToManagementResult',
);

export const BulkAddResponse = open(
  {
    results: Type.Array(
      open(
        {
          vm_id: Type.String(),
          ok: Type.Boolean(),
          context_id: Type.Optional(Type.String()),
          job_id: Type.Optional(NullableString),
          existing_context_id: Type.Optional(NullableString),
        },
        'BulkAddResult',
      ),
    ),
  },
  'BulkAddResponse',
);

/** SPEC §5.1's duplicate answer inside our error envelope. */
export const ConflictResponse = open(
  {
    error: open({ code: Type.String(), message: Type.String() }, 'ConflictError'),
    details: Type.Optional(Type.String()),
    existing_context_id: Type.Optional(Type.String()),
  },
  'ConflictResponse',
);

export function PageOf<T extends TObject>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
}
