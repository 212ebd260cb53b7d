// TypeBox schemas of the recovery API (docs/failover-recovery.md); they feed the OpenAPI document and the SDK.
import { Type } from '@sinclair/typebox';
import { Nullable } from '../../http/schemas';
import { FailoverTypeSchema, VmReference } from '../failover.schemas';

export const RollbackBody = Type.Object(
  {
    vm_id: VmReference,
    failover_type: Type.Optional(FailoverTypeSchema),
    power_on_source: Type.Optional(
      Type.Boolean({ description: 'Live: power the source VMware VM on again at the end (default false)' }),
    ),
    keep_target: Type.Optional(
      Type.Boolean({ description: 'Keep the target VM, stopped and without the volumes, for inspection' }),
    ),
  },
  { additionalProperties: false, title: 'RollbackRequest' },
);

export const RepairBody = Type.Object(
  {
    power_on_source: Type.Optional(Type.Boolean({ description: 'Power the source VMware VM on at the end' })),
  },
  { additionalProperties: false, title: 'FailoverRepairRequest' },
);

export const DecisionParams = Type.Object(
  { failover_type: FailoverTypeSchema, vm: VmReference },
  { additionalProperties: false },
);
export const CleanupParams = Type.Object({ vm: VmReference }, { additionalProperties: false });
export const LegacyCleanupParams = Type.Object(
  { job_id: Type.String({ minLength: 1, maxLength: 128, description: 'The test failover job id' }) },
  { additionalProperties: false },
);

const RecoveryKindSchema = Type.Union([
  Type.Literal('test-cleanup'),
  Type.Literal('live-rollback'),
  Type.Literal('failover-repair'),
]);

export const StartedRecoverySchema = Type.Object(
  {
    job_id: Type.String({ description: 'The workflow job: GET /api/v1/jobs/{id} shows every step' }),
    external_job_id: Type.String(),
    workflow: RecoveryKindSchema,
    context_id: Type.String(),
    failover_job_ids: Type.Array(Type.String()),
    power_on_source: Type.Boolean(),
    keep_target: Type.Boolean(),
  },
  { title: 'StartedRecovery' },
);

const InventorySchema = Type.Object(
  {
    volumes: Type.Array(
      Type.Object({
        volumeId: Type.String(),
        attachedTo: Type.Union([
          Type.Literal('server'),
          Type.Literal('target'),
          Type.Literal('nothing'),
          Type.Literal('missing'),
        ]),
        vmId: Nullable(Type.String()),
      }),
    ),
    snapshots: Type.Array(Type.Object({ snapshotId: Type.String(), volumeId: Type.String(), state: Type.String() })),
    targetVms: Type.Array(Type.Object({ vmId: Type.String(), name: Type.String(), state: Type.String() })),
  },
  { title: 'FailoverArtifacts' },
);

const OptionSchema = Type.Object({ available: Type.Boolean(), default: Type.Boolean() });

export const RollbackDecisionSchema = Type.Object(
  {
    failover_type: FailoverTypeSchema,
    context_id: Type.String(),
    vm_name: Type.String(),
    context_status: Type.String(),
    failover_job: Nullable(
      Type.Object({
        job_id: Type.String(),
        status: Type.String(),
        created_at: Type.String(),
        target_vm_name: Nullable(Type.String()),
      }),
    ),
    possible: Type.Boolean(),
    reason: Nullable(Type.String()),
    will: Type.Array(Type.String(), { description: 'What the rollback will do, step by step' }),
    loses: Type.Array(Type.String(), { description: 'What is lost by rolling back' }),
    state: Nullable(InventorySchema),
    options: Type.Object({ power_on_source: OptionSchema, keep_target: OptionSchema }),
  },
  { title: 'RollbackDecision' },
);
