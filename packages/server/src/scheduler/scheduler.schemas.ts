// OpenAPI shapes of the schedule, machine-group and execution routes and of a VM's RPO (docs/scheduler.md).
// Objects are closed so the SDK says exactly what the API returns.
import { scheduleExecutionStatuses } from '@migratekit/core';
import { Type, type TProperties } from '@sinclair/typebox';
import { Nullable, NullableTimestamp, StatusEnum, Timestamp } from '../http/schemas';
import { SKIP_REASONS } from './tick-planner';

function closed<T extends TProperties>(properties: T, title: string) {
  return Type.Object(properties, { additionalProperties: false, title });
}

const NullableString = Nullable(Type.String());
const NullableInteger = Nullable(Type.Integer());

export const RpoState = Type.Union(
  [
    Type.Literal('ok'),
    Type.Literal('warning'),
    Type.Literal('breached'),
    Type.Literal('pending'),
    Type.Literal('unprotected'),
  ],
  { description: 'ok within target; warning when the latest run was blocked; breached past the target' },
);

export const VmRpo = closed(
  {
    state: RpoState,
    schedule_id: NullableString,
    schedule_name: NullableString,
    interval_seconds: Nullable(Type.Number()),
    target_seconds: Nullable(Type.Number()),
    age_seconds: Nullable(Type.Number({ description: 'Seconds since the last successful sync completed' })),
    last_sync_at: NullableTimestamp,
    reason: NullableString,
  },
  'VmRpo',
);

const ReplicationType = Type.Union([Type.Literal('auto'), Type.Literal('initial'), Type.Literal('incremental')]);
const CatchUpPolicy = Type.Union([Type.Literal('skip'), Type.Literal('run_once')], {
  description: 'After downtime: skip the missed ticks (one skipped execution records them) or run once',
});

const scheduleFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  cron_expression: Type.String({
    minLength: 11,
    maxLength: 200,
    description: 'Six fields, seconds first, e.g. "0 */15 * * * *"',
  }),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, default UTC' })),
  enabled: Type.Optional(Type.Boolean()),
  replication_type: Type.Optional(ReplicationType),
  max_concurrent_jobs: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  retry_attempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  retry_delay_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  skip_if_running: Type.Optional(Type.Boolean()),
  catch_up_policy: Type.Optional(CatchUpPolicy),
  target_rpo_seconds: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 31_536_000 }))),
};

export const ScheduleCreate = Type.Object(scheduleFields, { additionalProperties: false, title: 'ScheduleCreate' });
export const ScheduleUpdate = Type.Partial(Type.Object(scheduleFields), {
  additionalProperties: false,
  title: 'ScheduleUpdate',
});

export const Schedule = closed(
  {
    id: Type.String(),
    name: Type.String(),
    description: NullableString,
    cron_expression: Type.String(),
    timezone: Type.String(),
    enabled: Type.Boolean(),
    replication_type: ReplicationType,
    max_concurrent_jobs: Type.Integer(),
    retry_attempts: Type.Integer(),
    retry_delay: Type.Integer({ description: 'Seconds between retries' }),
    skip_if_running: Type.Boolean(),
    catch_up_policy: CatchUpPolicy,
    target_rpo_seconds: NullableInteger,
    interval_seconds: Nullable(Type.Number()),
    group_count: Type.Integer(),
    created_by: NullableString,
    last_run_at: NullableTimestamp,
    next_run_at: NullableTimestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  'Schedule',
);

const groupFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  schedule_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
  max_concurrent_vms: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Lower runs first' })),
};
export const GroupCreate = Type.Object(groupFields, { additionalProperties: false, title: 'MachineGroupCreate' });
export const GroupUpdate = Type.Partial(Type.Object(groupFields), {
  additionalProperties: false,
  title: 'MachineGroupUpdate',
});

export const MachineGroup = closed(
  {
    id: Type.String(),
    name: Type.String(),
    description: NullableString,
    schedule_id: NullableString,
    schedule_name: NullableString,
    max_concurrent_vms: Type.Integer(),
    priority: Type.Integer(),
    member_count: Type.Integer(),
    created_by: NullableString,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  'MachineGroup',
);

const memberFields = {
  enabled: Type.Optional(Type.Boolean()),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Lower runs first' })),
  schedule_override_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
};
export const MemberCreate = Type.Object(
  { vm_context_id: Type.String({ minLength: 1, maxLength: 128 }), ...memberFields },
  { additionalProperties: false, title: 'GroupMemberCreate' },
);
export const MemberUpdate = Type.Object(memberFields, { additionalProperties: false, title: 'GroupMemberUpdate' });

export const GroupMember = closed(
  {
    id: Type.String(),
    group_id: Type.String(),
    vm_context_id: Type.String(),
    vm_name: Type.String(),
    current_status: Type.String(),
    enabled: Type.Boolean(),
    priority: Type.Integer(),
    schedule_override_id: NullableString,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  'GroupMember',
);

export const ExecutionVmDetail = closed(
  {
    vm_context_id: Type.String(),
    vm_name: Type.Optional(Type.String()),
    group_id: Type.Optional(Type.String()),
    outcome: Type.Union([
      Type.Literal('created'),
      Type.Literal('skipped'),
      Type.Literal('failed'),
      Type.Literal('completed'),
    ]),
    job_id: Type.Optional(Type.String()),
    reason: Type.Optional(
      Type.String({ description: `Skip reason code (${Object.keys(SKIP_REASONS).join(', ')}) or an MKE_* code` }),
    ),
    message: Type.Optional(Type.String()),
    attempts: Type.Optional(Type.Integer()),
  },
  'ExecutionVmDetail',
);

export const ScheduleExecution = closed(
  {
    id: Type.String(),
    schedule_id: NullableString,
    group_id: NullableString,
    status: StatusEnum(scheduleExecutionStatuses),
    scheduled_at: Timestamp,
    started_at: NullableTimestamp,
    completed_at: NullableTimestamp,
    vms_eligible: Type.Integer(),
    jobs_created: Type.Integer(),
    jobs_completed: Type.Integer(),
    jobs_failed: Type.Integer(),
    jobs_skipped: Type.Integer(),
    details: Nullable(Type.Array(ExecutionVmDetail)),
    error: NullableString,
    triggered_by: Type.String(),
    tick_key: NullableString,
    created_at: Timestamp,
  },
  'ScheduleExecution',
);
