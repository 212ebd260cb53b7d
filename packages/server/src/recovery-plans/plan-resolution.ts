// From what the operator typed to what a run does (docs/recovery-plans.md): members named by id or name are
// stored by id; at run start each stage becomes its VMs in start order (groups by group priority, a group's
// VMs by member priority, then single VMs as listed), each VM once in the whole plan.
import {
  MigrateKitError,
  RECOVERY_STAGE_CONDITIONS,
  errorMessage,
  type RecoveryStageCondition,
} from '@migratekit/core';
import type { RecoveryPlanStageInput, RecoveryPlanWithStages, Repositories } from '@migratekit/db';
import { contextByVmReference } from '../network-mapping/context-lookup';
import { MAX_RECOVERY_STAGES, type ResolvedStage, type ResolvedVm } from './recovery-plan.types';

export interface StageMemberRequest {
  /** Machine group id or name. */
  group_id?: string;
  /** Context id, VMware instance UUID or VM name. */
  vm_context_id?: string;
}

export interface StageRequest {
  name: string;
  wait_condition?: RecoveryStageCondition;
  wait_seconds?: number;
  members: StageMemberRequest[];
}

/** How long 'running' waits for Running by default. */
export const DEFAULT_RUNNING_WAIT_SECONDS = 300;

function conditionOf(value: string, field: string): RecoveryStageCondition {
  const found = RECOVERY_STAGE_CONDITIONS.find((c) => c === value);
  if (found === undefined)
    throw new MigrateKitError('MKE_VALIDATION', { message: `Unknown wait condition ${value}`, field });
  return found;
}

/** Checks the stages and stores members by id; errors name the field (body.stages[i].members[j]). */
export async function resolveStageInput(
  repositories: Pick<Repositories, 'contexts' | 'machineGroups'>,
  stages: readonly StageRequest[],
): Promise<RecoveryPlanStageInput[]> {
  if (stages.length > MAX_RECOVERY_STAGES)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: `A plan has at most ${MAX_RECOVERY_STAGES} stages`,
      field: 'body.stages',
    });
  const groups = await repositories.machineGroups.list();
  const result: RecoveryPlanStageInput[] = [];
  for (const [i, stage] of stages.entries()) {
    const condition = conditionOf(stage.wait_condition ?? 'completed', `body.stages[${i}].wait_condition`);
    const members = [];
    for (const [j, member] of stage.members.entries()) {
      const field = `body.stages[${i}].members[${j}]`;
      if ((member.group_id === undefined) === (member.vm_context_id === undefined))
        throw new MigrateKitError('MKE_VALIDATION', {
          message: 'Give exactly one of group_id or vm_context_id',
          field,
        });
      if (member.group_id !== undefined) {
        const ref = member.group_id;
        const group = groups.find((g) => g.id === ref) ?? groups.find((g) => g.name === ref);
        if (group === undefined)
          throw new MigrateKitError('MKE_VALIDATION', {
            message: `No machine group ${ref}`,
            field: `${field}.group_id`,
          });
        members.push({ group_id: group.id });
      } else {
        const context = await contextByVmReference(repositories, member.vm_context_id ?? '').catch((error: unknown) => {
          throw new MigrateKitError('MKE_VALIDATION', {
            message: errorMessage(error),
            field: `${field}.vm_context_id`,
            cause: error,
          });
        });
        members.push({ vm_context_id: context.context_id });
      }
    }
    const waitSeconds = stage.wait_seconds ?? (condition === 'running' ? DEFAULT_RUNNING_WAIT_SECONDS : 0);
    result.push({ name: stage.name, wait_condition: condition, wait_seconds: waitSeconds, members });
  }
  return result;
}

/** The plan's stages as VMs in start order; MKE_VALIDATION when the plan or a stage has no VM. */
export async function resolvePlanStages(
  repositories: Pick<Repositories, 'contexts' | 'machineGroups'>,
  plan: RecoveryPlanWithStages,
): Promise<ResolvedStage[]> {
  if (plan.stages.length === 0)
    throw new MigrateKitError('MKE_VALIDATION', { message: `Recovery plan ${plan.name} has no stages` });
  const groups = new Map((await repositories.machineGroups.list()).map((g) => [g.id, g]));
  const seen = new Set<string>();
  const resolved: ResolvedStage[] = [];
  for (const stage of plan.stages) {
    const groupMembers = stage.members
      .filter((m) => m.group_id !== null)
      .map((m) => ({ member: m, priority: groups.get(m.group_id ?? '')?.priority ?? 0 }))
      .sort((a, b) => a.priority - b.priority || a.member.position - b.member.position);
    const ids: string[] = [];
    for (const { member } of groupMembers) {
      const memberships = await repositories.machineGroups.listMembers(member.group_id ?? '', { enabledOnly: true });
      ids.push(...memberships.map((m) => m.vm_context_id));
    }
    ids.push(...stage.members.flatMap((m) => (m.vm_context_id === null ? [] : [m.vm_context_id])));
    const vms: ResolvedVm[] = [];
    for (const id of ids) {
      // A VM runs once per plan: in the first stage that names it.
      if (seen.has(id)) continue;
      seen.add(id);
      const context = await repositories.contexts.require(id);
      vms.push({ context_id: id, vm_name: context.vm_name });
    }
    if (vms.length === 0)
      throw new MigrateKitError('MKE_VALIDATION', {
        message: `Stage ${stage.position + 1} (${stage.name}) of ${plan.name} has no VMs`,
      });
    const condition = RECOVERY_STAGE_CONDITIONS.find((c) => c === stage.wait_condition) ?? 'completed';
    resolved.push({ name: stage.name, wait_condition: condition, wait_seconds: stage.wait_seconds, vms });
  }
  return resolved;
}
