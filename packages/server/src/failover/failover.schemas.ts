// TypeBox schemas of the failover API (docs/failover.md); they are also the OpenAPI document the SDK is generated
// from.
import { failoverJobStatuses } from '@migratekit/core';
import { Type } from '@sinclair/typebox';
import { Nullable, NullableTimestamp, Timestamp } from '../http/schemas';

const NullableString = Nullable(Type.String());
export const VmReference = Type.String({
  minLength: 1,
  maxLength: 255,
  description: 'Context id, VMware instance UUID or VM name',
});
export const FailoverTypeSchema = Type.Union([Type.Literal('test'), Type.Literal('live')]);
const FailoverJobStatusSchema = Type.Union(failoverJobStatuses.values.map((s) => Type.Literal(s)));

export const FailoverOptionsInput = Type.Object(
  {
    keep_mac: Type.Optional(
      Type.Boolean({ description: 'Keep the source MAC addresses (default: live yes, test no)' }),
    ),
    final_sync: Type.Optional(Type.Boolean({ description: 'Live: incremental sync after power-off (default true)' })),
    shutdown_timeout_ms: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 3_600_000, description: 'Guest shutdown time before a hard power-off' }),
    ),
    max_sync_age_ms: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    service_offering_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
    template_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
    skip_conversion: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'FailoverOptionsInput' },
);

export const FailoverOptionsSchema = Type.Object(
  {
    keep_mac: Type.Boolean(),
    final_sync: Type.Boolean(),
    shutdown_timeout_ms: Type.Integer(),
    max_sync_age_ms: Nullable(Type.Integer()),
    service_offering_id: NullableString,
    template_id: NullableString,
    skip_conversion: Type.Boolean(),
  },
  { title: 'FailoverOptions' },
);

export const UnifiedBody = Type.Object(
  { vm_id: VmReference, failover_type: FailoverTypeSchema, options: Type.Optional(FailoverOptionsInput) },
  { additionalProperties: false },
);
export const LegacyBody = Type.Object(
  { vm_id: VmReference, options: Type.Optional(FailoverOptionsInput) },
  { additionalProperties: false },
);

export const StartedFailoverSchema = Type.Object(
  {
    job_id: Type.String({ description: 'The failover job id (= the workflow job external id)' }),
    workflow_job_id: Type.String(),
    context_id: Type.String(),
    failover_type: FailoverTypeSchema,
    target_vm_name: Type.String(),
    status: FailoverJobStatusSchema,
  },
  { title: 'StartedFailover' },
);

const PreflightCheckSchema = Type.Object({ name: Type.String(), ok: Type.Boolean(), message: Type.String() });

export const PreflightConfigSchema = Type.Object(
  {
    context_id: Type.String(),
    vm_name: Type.String(),
    failover_type: FailoverTypeSchema,
    target_vm_name: Type.String(),
    options: FailoverOptionsSchema,
    preflight: Type.Object({
      ok: Type.Boolean(),
      checks: Type.Array(PreflightCheckSchema),
      warnings: Type.Array(Type.String()),
      last_sync_at: NullableTimestamp,
      sync_age_ms: Nullable(Type.Integer()),
      power_state: NullableString,
      volumes: Type.Array(Type.Object({ volume_id: Type.String(), disk_id: NullableString })),
      nics: Type.Array(
        Type.Object({ network_id: Type.String(), mac_address: NullableString, source_network_name: Type.String() }),
      ),
    }),
  },
  { title: 'FailoverPreflightConfig' },
);

export const PreflightParams = Type.Object(
  { failover_type: FailoverTypeSchema, vm: VmReference },
  { additionalProperties: false },
);
export const ValidateBody = UnifiedBody;

const ReadinessSide = Type.Object({ ready: Type.Boolean(), blocking: Type.Array(Type.String()) });
export const ReadinessSchema = Type.Object(
  {
    context_id: Type.String(),
    vm_name: Type.String(),
    status: Type.String(),
    test: ReadinessSide,
    live: ReadinessSide,
  },
  { title: 'FailoverReadiness' },
);

const jobFields = {
  job_id: Type.String(),
  workflow_job_id: NullableString,
  context_id: Type.String(),
  vm_name: Type.String(),
  failover_type: FailoverTypeSchema,
  status: FailoverJobStatusSchema,
  workflow_status: NullableString,
  pause_reason: NullableString,
  target_vm_name: NullableString,
  destination_vm_id: NullableString,
  volume_snapshots: Nullable(Type.Record(Type.String(), Type.String())),
  options: Nullable(Type.Record(Type.String(), Type.Unknown())),
  progress_percent: Type.Number(),
  error_message: NullableString,
  created_at: Timestamp,
  updated_at: Timestamp,
  completed_at: NullableTimestamp,
};

export const FailoverJobSchema = Type.Object(jobFields, { title: 'FailoverJob' });

export const FailoverStatusSchema = Type.Object(
  {
    ...jobFields,
    steps: Type.Array(
      Type.Object({
        name: Type.String(),
        kind: Type.String({ description: 'run, or compensate for an undo step' }),
        status: Type.String(),
        started_at: Timestamp,
        completed_at: NullableTimestamp,
        output: Type.Unknown(),
        error_code: NullableString,
        error_message: NullableString,
      }),
    ),
  },
  { title: 'FailoverStatus' },
);

export const JobParams = Type.Object(
  { job_id: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const VmParams = Type.Object({ vm_id: VmReference }, { additionalProperties: false });
export const JobsQuery = Type.Object(
  {
    vm_id: Type.Optional(VmReference),
    failover_type: Type.Optional(FailoverTypeSchema),
    status: Type.Optional(FailoverJobStatusSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
export const JobList = Type.Object({ items: Type.Array(FailoverJobSchema) }, { title: 'FailoverJobList' });
