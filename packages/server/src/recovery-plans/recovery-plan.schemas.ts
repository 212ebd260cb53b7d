// OpenAPI shapes of the recovery plan routes (docs/recovery-plans.md). Objects are closed so the SDK says
// exactly what the API returns.
import {
  RECOVERY_STAGE_CONDITIONS,
  failoverJobStatuses,
  recoveryPlanRunStatuses,
  workflowStatuses,
} from '@migratekit/core';
import { Type, type TProperties } from '@sinclair/typebox';
import { Nullable, NullableTimestamp, StatusEnum, Timestamp } from '../http/schemas';
import { MAX_RECOVERY_STAGES } from './recovery-plan.types';

function closed<T extends TProperties>(properties: T, title: string) {
  return Type.Object(properties, { additionalProperties: false, title });
}

const NullableString = Nullable(Type.String());
const FailoverType = Type.Union([Type.Literal('test'), Type.Literal('live')]);
const WaitCondition = Type.Union(
  RECOVERY_STAGE_CONDITIONS.map((c) => Type.Literal(c)),
  {
    description:
      'What the next stage waits for once every failover of this stage completed: nothing more (completed), ' +
      'the target VMs Running in CloudStack (running, up to wait_seconds) or wait_seconds (delay)',
  },
);

const MemberInput = closed(
  {
    group_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Machine group id or name' })),
    vm_context_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Context id, VMware instance UUID or VM name' }),
    ),
  },
  'RecoveryPlanMemberInput',
);

const StageInput = closed(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    wait_condition: Type.Optional(WaitCondition),
    wait_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    members: Type.Array(MemberInput, { minItems: 1, maxItems: 1000 }),
  },
  'RecoveryPlanStageInput',
);

const planFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  stages: Type.Array(StageInput, { minItems: 1, maxItems: MAX_RECOVERY_STAGES }),
};

export const PlanCreate = closed(planFields, 'RecoveryPlanCreate');
export const PlanUpdate = Type.Partial(closed(planFields, 'RecoveryPlanUpdate'), {
  additionalProperties: false,
  title: 'RecoveryPlanUpdate',
});

const Member = closed(
  {
    type: Type.Union([Type.Literal('group'), Type.Literal('vm')]),
    id: Type.String(),
    name: Type.String(),
  },
  'RecoveryPlanMember',
);

const Stage = closed(
  {
    position: Type.Integer(),
    name: Type.String(),
    wait_condition: Type.String(),
    wait_seconds: Type.Integer(),
    members: Type.Array(Member),
  },
  'RecoveryPlanStage',
);

export const RecoveryPlan = closed(
  {
    id: Type.String(),
    name: Type.String(),
    description: NullableString,
    created_by: NullableString,
    created_at: Timestamp,
    updated_at: Timestamp,
    stages: Type.Array(Stage),
  },
  'RecoveryPlan',
);

const RunChild = closed(
  {
    context_id: Type.String(),
    vm_name: Type.String(),
    failover_job_id: NullableString,
    workflow_job_id: NullableString,
    status: Nullable(StatusEnum(failoverJobStatuses)),
    workflow_status: Nullable(StatusEnum(workflowStatuses)),
    current_step: NullableString,
    progress_percent: Type.Number(),
    target_vm_name: NullableString,
    destination_vm_id: NullableString,
    error_message: NullableString,
  },
  'RecoveryPlanRunChild',
);

const RunStage = closed(
  {
    position: Type.Integer(),
    name: Type.String(),
    wait_condition: Type.String(),
    wait_seconds: Type.Integer(),
    status: Type.Union([
      Type.Literal('pending'),
      Type.Literal('running'),
      Type.Literal('completed'),
      Type.Literal('failed'),
    ]),
    children: Type.Array(RunChild),
  },
  'RecoveryPlanRunStage',
);

const UndoJob = closed(
  {
    failover_job_id: Type.String(),
    context_id: Type.String(),
    job_id: Nullable(Type.String({ description: 'The cleanup or rollback workflow job; null when not started' })),
    status: Type.String({ description: 'The workflow status of that job, or not_started' }),
    error: NullableString,
  },
  'RecoveryPlanUndoJob',
);

export const RecoveryPlanRun = closed(
  {
    id: Type.String(),
    plan_id: Type.String(),
    plan_name: Type.String(),
    job_id: Type.String({ description: 'The parent workflow job; its children are the failover jobs' }),
    failover_type: Type.String(),
    status: StatusEnum(recoveryPlanRunStatuses),
    error_message: NullableString,
    requested_by: Type.String(),
    created_at: Timestamp,
    completed_at: NullableTimestamp,
    stage_count: Type.Integer(),
    stages: Type.Array(RunStage),
    undo_jobs: Type.Array(UndoJob),
  },
  'RecoveryPlanRun',
);

export const RunBody = closed({ failover_type: FailoverType }, 'RecoveryPlanRunRequest');
export const UndoBody = closed(
  {
    power_on_source: Type.Optional(
      Type.Boolean({ description: 'Live runs: power the source VMs on again after the rollback' }),
    ),
  },
  'RecoveryPlanUndoRequest',
);
export const PlanParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200, description: 'Plan id or name' }) },
  { additionalProperties: false },
);
export const RunParams = Type.Object(
  { id: PlanParams.properties.id, run_id: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
