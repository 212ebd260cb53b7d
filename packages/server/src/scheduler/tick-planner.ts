// The tick planner (docs/scheduler.md#tick): given the VMs a schedule drives, in priority order, and what is
// running, decide which VMs get a job now and why every other VM is skipped. Pure: no I/O, no clock; the tick
// runner feeds it from the database and the database guards the jobs it then creates.
import { contextStatuses, isContextStatus } from '@migratekit/core';
import type { ScheduleReplicationType, ScheduledMember } from '@migratekit/db';

/** Why a VM got no job on a tick; stable codes the API, CLI and dashboard show (with a sentence). */
export const SKIP_REASONS = {
  membership_disabled: 'the VM is disabled in its group',
  active_job: 'a replication job of the VM is still active',
  failover_state: 'the VM is failed over',
  cleanup_required: 'the VM needs cleanup first',
  status_not_replicable: 'the VM cannot be replicated from its status',
  no_initial_sync: 'the schedule runs incrementals only and the VM has no full copy yet',
  already_synced: 'the schedule runs initial copies only and the VM has one',
  agent_offline: 'no agent is connected',
  group_limit: 'the group already runs its maximum of concurrent VMs',
  schedule_limit: 'the schedule already runs its maximum of concurrent jobs',
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

export interface PlanSchedule {
  max_concurrent_jobs: number;
  replication_type: ScheduleReplicationType;
}

export interface PlannedVm {
  vm_context_id: string;
  vm_name: string;
  group_id: string;
}

export interface PlannedSkip extends PlannedVm {
  reason: SkipReason;
}

export interface TickPlan {
  /** VMs whose state allows a job now (before the concurrency limits). */
  eligible: number;
  /** In the order jobs should start: group priority, then member priority. */
  start: PlannedVm[];
  skip: PlannedSkip[];
}

export interface PlanInput {
  schedule: PlanSchedule;
  /** Ordered by group priority, then member priority (MachineGroupRepository.listScheduledMembers). */
  members: readonly ScheduledMember[];
  /** Contexts with a pending or running replication job. */
  activeContextIds: ReadonlySet<string>;
  agentsOnline: boolean;
}

function stateSkip(member: ScheduledMember, input: PlanInput): SkipReason | undefined {
  if (!member.membership_enabled) return 'membership_disabled';
  if (member.current_job_id !== null || input.activeContextIds.has(member.vm_context_id)) return 'active_job';
  const status = member.current_status;
  if (status === 'cleanup_required') return 'cleanup_required';
  if (!isContextStatus(status)) return 'status_not_replicable';
  if (contextStatuses.kinds[status] === 'failed_over') return 'failover_state';
  if (!contextStatuses.canTransition(status, 'replicating')) return 'status_not_replicable';
  const synced = member.last_successful_job_id !== null;
  if (input.schedule.replication_type === 'incremental' && !synced) return 'no_initial_sync';
  if (input.schedule.replication_type === 'initial' && synced) return 'already_synced';
  if (!input.agentsOnline) return 'agent_offline';
  return undefined;
}

/** Running jobs per group and for the whole schedule, counted once per VM. */
function runningCounts(input: PlanInput): { perGroup: Map<string, number>; total: number } {
  const perGroup = new Map<string, number>();
  const counted = new Set<string>();
  for (const member of input.members) {
    const active = member.current_job_id !== null || input.activeContextIds.has(member.vm_context_id);
    if (!active) continue;
    perGroup.set(member.group_id, (perGroup.get(member.group_id) ?? 0) + 1);
    counted.add(member.vm_context_id);
  }
  return { perGroup, total: counted.size };
}

export function planTick(input: PlanInput): TickPlan {
  const running = runningCounts(input);
  let scheduleSlots = input.schedule.max_concurrent_jobs - running.total;
  const groupSlots = new Map<string, number>();
  const seen = new Set<string>();
  const plan: TickPlan = { eligible: 0, start: [], skip: [] };
  for (const member of input.members) {
    // A VM in two groups of one schedule is decided once, by its highest-priority group.
    if (seen.has(member.vm_context_id)) continue;
    seen.add(member.vm_context_id);
    const vm = { vm_context_id: member.vm_context_id, vm_name: member.vm_name, group_id: member.group_id };
    const blocked = stateSkip(member, input);
    if (blocked !== undefined) {
      plan.skip.push({ ...vm, reason: blocked });
      continue;
    }
    plan.eligible += 1;
    const slots =
      groupSlots.get(member.group_id) ?? member.group_max_concurrent_vms - (running.perGroup.get(member.group_id) ?? 0);
    if (slots <= 0) plan.skip.push({ ...vm, reason: 'group_limit' });
    else if (scheduleSlots <= 0) plan.skip.push({ ...vm, reason: 'schedule_limit' });
    else {
      plan.start.push(vm);
      scheduleSlots -= 1;
      groupSlots.set(member.group_id, slots - 1);
      continue;
    }
    groupSlots.set(member.group_id, slots);
  }
  return plan;
}
