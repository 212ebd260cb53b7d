// Schedules, machine groups and memberships as the operator edits them (docs/scheduler.md#api): validation
// that JSON schemas cannot express (cron and time zone, references between them), with the next run computed
// for display. The scheduler loop reads the same rows; nothing here starts a job.
import { MigrateKitError, type Clock } from '@migratekit/core';
import type {
  CatchUpPolicy,
  MachineGroupRecord,
  MembershipRecord,
  Repositories,
  ScheduleRecord,
  ScheduleReplicationType,
} from '@migratekit/db';
import type { Principal } from '../security/roles';
import type { AuditService } from '../services/audit.service';

/** Who changes the configuration: the request's principal, or a system actor such as 'dev-seed'. */
export type Actor = Principal | string;

const actorName = (actor: Actor): string => (typeof actor === 'string' ? actor : actor.username);
import { scheduleCron } from './schedule-cron';

export interface ScheduleInput {
  name: string;
  description?: string | null;
  cron_expression: string;
  timezone?: string;
  enabled?: boolean;
  replication_type?: ScheduleReplicationType;
  max_concurrent_jobs?: number;
  retry_attempts?: number;
  retry_delay_seconds?: number;
  skip_if_running?: boolean;
  catch_up_policy?: CatchUpPolicy;
  target_rpo_seconds?: number | null;
}

export interface GroupInput {
  name: string;
  description?: string | null;
  schedule_id?: string | null;
  max_concurrent_vms?: number;
  priority?: number;
}

export interface MemberInput {
  vm_context_id: string;
  enabled?: boolean;
  priority?: number;
  schedule_override_id?: string | null;
}

export interface ScheduleConfigServiceDeps {
  repositories: Pick<Repositories, 'schedules' | 'machineGroups' | 'contexts' | 'scheduleExecutions'>;
  clock: Clock;
  audit: AuditService;
}

export type ScheduleView = ScheduleRecord & { interval_seconds: number | null; group_count: number };
export type GroupView = MachineGroupRecord & { member_count: number; schedule_name: string | null };
export type MemberView = MembershipRecord & { vm_name: string; current_status: string };

export class ScheduleConfigService {
  constructor(private readonly deps: ScheduleConfigServiceDeps) {}

  async listSchedules(): Promise<ScheduleView[]> {
    const [schedules, groups] = await Promise.all([
      this.deps.repositories.schedules.list(),
      this.deps.repositories.machineGroups.list(),
    ]);
    return schedules.map((s) => this.view(s, groups.filter((g) => g.schedule_id === s.id).length));
  }

  async getSchedule(id: string): Promise<ScheduleView> {
    const schedule = await this.deps.repositories.schedules.require(id);
    const groups = await this.deps.repositories.machineGroups.listBySchedule(id);
    return this.view(schedule, groups.length);
  }

  async createSchedule(input: ScheduleInput, actor: Actor): Promise<ScheduleView> {
    const timezone = input.timezone ?? 'UTC';
    const cron = scheduleCron(input.cron_expression, timezone);
    const created = await this.deps.repositories.schedules.create({
      name: input.name,
      description: input.description ?? null,
      cron_expression: input.cron_expression.trim(),
      timezone,
      enabled: input.enabled ?? true,
      replication_type: input.replication_type ?? 'auto',
      max_concurrent_jobs: input.max_concurrent_jobs ?? 5,
      retry_attempts: input.retry_attempts ?? 0,
      retry_delay: input.retry_delay_seconds ?? 300,
      skip_if_running: input.skip_if_running ?? false,
      catch_up_policy: input.catch_up_policy ?? 'skip',
      target_rpo_seconds: input.target_rpo_seconds ?? null,
      created_by: actorName(actor),
      // Ticks count from creation: a new schedule never "catches up" on the past.
      last_run_at: null,
      next_run_at: cron.nextAfter(this.deps.clock.now()),
    });
    await this.audit(actor, 'schedule.create', created.id, { name: created.name });
    return this.view(created, 0);
  }

  async updateSchedule(id: string, input: Partial<ScheduleInput>, actor: Actor): Promise<ScheduleView> {
    const current = await this.deps.repositories.schedules.require(id);
    const expression = input.cron_expression ?? current.cron_expression;
    const cron = scheduleCron(expression, input.timezone ?? current.timezone);
    const { retry_delay_seconds: retryDelay, ...rest } = input;
    await this.deps.repositories.schedules.update(id, {
      ...rest,
      ...(retryDelay === undefined ? {} : { retry_delay: retryDelay }),
      ...(input.cron_expression === undefined ? {} : { cron_expression: expression.trim() }),
      next_run_at: cron.nextAfter(current.last_run_at ?? this.deps.clock.now()),
    });
    await this.audit(actor, 'schedule.update', id, { fields: Object.keys(input) });
    return this.getSchedule(id);
  }

  async deleteSchedule(id: string, actor: Actor): Promise<void> {
    if (!(await this.deps.repositories.schedules.delete(id)))
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Schedule ${id} not found`, details: { id } });
    await this.audit(actor, 'schedule.delete', id, {});
  }

  async listGroups(): Promise<GroupView[]> {
    const [groups, counts, schedules] = await Promise.all([
      this.deps.repositories.machineGroups.list(),
      this.deps.repositories.machineGroups.memberCounts(),
      this.deps.repositories.schedules.list(),
    ]);
    const names = new Map(schedules.map((s) => [s.id, s.name]));
    return groups.map((g) => ({
      ...g,
      member_count: counts.get(g.id) ?? 0,
      schedule_name: g.schedule_id === null ? null : (names.get(g.schedule_id) ?? null),
    }));
  }

  async getGroup(id: string): Promise<GroupView> {
    const group = (await this.listGroups()).find((g) => g.id === id);
    if (group === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Machine group ${id} not found`, details: { id } });
    return group;
  }

  async createGroup(input: GroupInput, actor: Actor): Promise<GroupView> {
    await this.requireSchedule(input.schedule_id, 'body.schedule_id');
    const group = await this.deps.repositories.machineGroups.create({
      name: input.name,
      description: input.description ?? null,
      schedule_id: input.schedule_id ?? null,
      max_concurrent_vms: input.max_concurrent_vms ?? 5,
      priority: input.priority ?? 100,
      created_by: actorName(actor),
    });
    await this.audit(actor, 'machine_group.create', group.id, { name: group.name });
    return this.getGroup(group.id);
  }

  async updateGroup(id: string, input: Partial<GroupInput>, actor: Actor): Promise<GroupView> {
    await this.deps.repositories.machineGroups.require(id);
    await this.requireSchedule(input.schedule_id, 'body.schedule_id');
    await this.deps.repositories.machineGroups.update(id, input);
    await this.audit(actor, 'machine_group.update', id, { fields: Object.keys(input) });
    return this.getGroup(id);
  }

  async deleteGroup(id: string, actor: Actor): Promise<void> {
    if (!(await this.deps.repositories.machineGroups.delete(id)))
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Machine group ${id} not found`, details: { id } });
    await this.audit(actor, 'machine_group.delete', id, {});
  }

  async listMembers(groupId: string): Promise<MemberView[]> {
    await this.deps.repositories.machineGroups.require(groupId);
    const members = await this.deps.repositories.machineGroups.listMembers(groupId);
    const contexts = await this.deps.repositories.contexts.getMany(members.map((m) => m.vm_context_id));
    return members.map((m) => ({
      ...m,
      vm_name: contexts.get(m.vm_context_id)?.vm_name ?? m.vm_context_id,
      current_status: contexts.get(m.vm_context_id)?.current_status ?? 'discovered',
    }));
  }

  async addMember(groupId: string, input: MemberInput, actor: Actor): Promise<MemberView> {
    await this.deps.repositories.machineGroups.require(groupId);
    const context = await this.deps.repositories.contexts.get(input.vm_context_id);
    if (context === undefined)
      throw new MigrateKitError('MKE_VALIDATION', {
        message: `No managed VM ${input.vm_context_id}`,
        field: 'body.vm_context_id',
      });
    await this.requireSchedule(input.schedule_override_id, 'body.schedule_override_id');
    const member = await this.deps.repositories.machineGroups.addMember({ group_id: groupId, ...input });
    await this.audit(actor, 'machine_group.add_vm', groupId, { vm_context_id: input.vm_context_id });
    return { ...member, vm_name: context.vm_name, current_status: context.current_status };
  }

  async updateMember(
    groupId: string,
    contextId: string,
    patch: Omit<Partial<MemberInput>, 'vm_context_id'>,
    actor: Actor,
  ): Promise<MemberView> {
    await this.requireSchedule(patch.schedule_override_id, 'body.schedule_override_id');
    const member = await this.deps.repositories.machineGroups.updateMember(groupId, contextId, patch);
    if (member === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `VM ${contextId} is not a member of group ${groupId}`,
        details: { group_id: groupId, vm_context_id: contextId },
      });
    await this.audit(actor, 'machine_group.update_vm', groupId, { vm_context_id: contextId });
    const context = await this.deps.repositories.contexts.require(contextId);
    return { ...member, vm_name: context.vm_name, current_status: context.current_status };
  }

  async removeMember(groupId: string, contextId: string, actor: Actor): Promise<void> {
    if (!(await this.deps.repositories.machineGroups.removeMember(groupId, contextId)))
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `VM ${contextId} is not a member of group ${groupId}`,
        details: { group_id: groupId, vm_context_id: contextId },
      });
    await this.audit(actor, 'machine_group.remove_vm', groupId, { vm_context_id: contextId });
  }

  async listExecutions(filter: { scheduleId?: string; groupId?: string }, paging: { limit: number; offset: number }) {
    if (filter.scheduleId !== undefined) await this.deps.repositories.schedules.require(filter.scheduleId);
    const executions = this.deps.repositories.scheduleExecutions;
    const [items, total] = await Promise.all([executions.list(filter, paging), executions.count(filter)]);
    return { items, total, ...paging };
  }

  async getExecution(id: string) {
    const execution = await this.deps.repositories.scheduleExecutions.get(id);
    if (execution === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Schedule execution ${id} not found`, details: { id } });
    return execution;
  }

  private view(schedule: ScheduleRecord, groupCount: number): ScheduleView {
    const cron = scheduleCron(schedule.cron_expression, schedule.timezone);
    return { ...schedule, interval_seconds: cron.intervalSeconds(this.deps.clock.now()), group_count: groupCount };
  }

  private async requireSchedule(id: string | null | undefined, field: string): Promise<void> {
    if (id === null || id === undefined) return;
    if ((await this.deps.repositories.schedules.get(id)) === undefined)
      throw new MigrateKitError('MKE_VALIDATION', { message: `No schedule ${id}`, field });
  }

  private async audit(actor: Actor, action: string, targetId: string, details: Record<string, unknown>) {
    const targetType = action.split('.')[0] ?? 'schedule';
    await this.deps.audit.record({ actor, action, targetType, targetId, details });
  }
}
