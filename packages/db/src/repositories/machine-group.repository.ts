// vm_machine_groups and vm_group_memberships: groups of VMs driven by a schedule, with priorities and a
// concurrency limit; also usable as ordered recovery plans.
import { MigrateKitError, newId } from '@migratekit/core';
import type { NewRow, Row, RowUpdate } from '../schema';
import { affected, isUniqueViolation, type RepositoryDeps } from './repository-deps';

export type MachineGroupRecord = Row<'vm_machine_groups'>;
export type NewMachineGroup = Omit<NewRow<'vm_machine_groups'>, 'id' | 'created_at' | 'updated_at'> & { id?: string };
export type MachineGroupPatch = Omit<RowUpdate<'vm_machine_groups'>, 'id' | 'created_at' | 'updated_at'>;

export type MembershipRecord = Row<'vm_group_memberships'>;
export interface NewMembership {
  group_id: string;
  vm_context_id: string;
  enabled?: boolean;
  priority?: number;
  schedule_override_id?: string | null;
}
export type MembershipPatch = Pick<RowUpdate<'vm_group_memberships'>, 'enabled' | 'priority' | 'schedule_override_id'>;

/** One VM a schedule drives, with what the tick planner needs to decide about it (docs/scheduler.md#tick). */
export interface ScheduledMember {
  group_id: string;
  group_priority: number;
  group_max_concurrent_vms: number;
  membership_enabled: boolean;
  membership_priority: number;
  joined_at: Date;
  vm_context_id: string;
  vm_name: string;
  current_status: string;
  current_job_id: string | null;
  last_successful_job_id: string | null;
}

/** A VM's effective schedule: the membership's override, else its group's schedule. */
export interface ContextSchedule {
  vm_context_id: string;
  schedule_id: string;
  group_id: string;
}

export class MachineGroupRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(input: NewMachineGroup): Promise<MachineGroupRecord> {
    const now = this.deps.clock.now();
    const id = input.id ?? newId('group');
    try {
      await this.deps.db
        .insertInto('vm_machine_groups')
        .values({ ...input, id, created_at: now, updated_at: now })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new MigrateKitError('MKE_DUPLICATE', {
          message: `A machine group named ${input.name} already exists`,
          field: 'name',
          cause: error,
        });
      }
      throw error;
    }
    return this.require(id);
  }

  async get(id: string): Promise<MachineGroupRecord | undefined> {
    return this.deps.db.selectFrom('vm_machine_groups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async require(id: string): Promise<MachineGroupRecord> {
    const group = await this.get(id);
    if (group === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Machine group ${id} not found`, details: { id } });
    }
    return group;
  }

  async list(): Promise<MachineGroupRecord[]> {
    return this.deps.db.selectFrom('vm_machine_groups').selectAll().orderBy('priority').orderBy('name').execute();
  }

  async listBySchedule(scheduleId: string): Promise<MachineGroupRecord[]> {
    return this.deps.db
      .selectFrom('vm_machine_groups')
      .selectAll()
      .where('schedule_id', '=', scheduleId)
      .orderBy('priority')
      .orderBy('name')
      .execute();
  }

  async update(id: string, patch: MachineGroupPatch): Promise<MachineGroupRecord> {
    await this.deps.db
      .updateTable('vm_machine_groups')
      .set({ ...patch, updated_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
    return this.require(id);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.deps.db.deleteFrom('vm_machine_groups').where('id', '=', id).executeTakeFirst();
    return affected(result) === 1;
  }

  /** Adds a VM to a group; MKE_DUPLICATE when it is already a member. */
  async addMember(input: NewMembership): Promise<MembershipRecord> {
    const now = this.deps.clock.now();
    const id = newId('member');
    try {
      await this.deps.db
        .insertInto('vm_group_memberships')
        .values({
          id,
          group_id: input.group_id,
          vm_context_id: input.vm_context_id,
          enabled: input.enabled ?? true,
          priority: input.priority ?? 0,
          schedule_override_id: input.schedule_override_id ?? null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new MigrateKitError('MKE_DUPLICATE', {
          message: 'The VM is already a member of this group',
          details: { group_id: input.group_id, vm_context_id: input.vm_context_id },
          cause: error,
        });
      }
      throw error;
    }
    return this.deps.db.selectFrom('vm_group_memberships').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  async updateMember(
    groupId: string,
    contextId: string,
    patch: MembershipPatch,
  ): Promise<MembershipRecord | undefined> {
    await this.deps.db
      .updateTable('vm_group_memberships')
      .set({ ...patch, updated_at: this.deps.clock.now() })
      .where('group_id', '=', groupId)
      .where('vm_context_id', '=', contextId)
      .execute();
    return this.deps.db
      .selectFrom('vm_group_memberships')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('vm_context_id', '=', contextId)
      .executeTakeFirst();
  }

  async removeMember(groupId: string, contextId: string): Promise<boolean> {
    const result = await this.deps.db
      .deleteFrom('vm_group_memberships')
      .where('group_id', '=', groupId)
      .where('vm_context_id', '=', contextId)
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Members in priority order (lower first), then by when they joined. */
  async listMembers(groupId: string, options: { enabledOnly?: boolean } = {}): Promise<MembershipRecord[]> {
    let query = this.deps.db.selectFrom('vm_group_memberships').selectAll().where('group_id', '=', groupId);
    if (options.enabledOnly === true) query = query.where('enabled', '=', true);
    return query.orderBy('priority').orderBy('created_at').orderBy('id').execute();
  }

  /**
   * Every membership a schedule drives: members of its groups without an override to another schedule, and
   * members of any group whose override names it. Ordered by group priority, then member priority.
   */
  async listScheduledMembers(scheduleId: string): Promise<ScheduledMember[]> {
    const rows = await this.deps.db
      .selectFrom('vm_group_memberships as m')
      .innerJoin('vm_machine_groups as g', 'g.id', 'm.group_id')
      .innerJoin('vm_replication_contexts as c', 'c.context_id', 'm.vm_context_id')
      .where((eb) =>
        eb.or([
          eb('m.schedule_override_id', '=', scheduleId),
          eb.and([eb('g.schedule_id', '=', scheduleId), eb('m.schedule_override_id', 'is', null)]),
        ]),
      )
      .select([
        'm.group_id',
        'g.priority as group_priority',
        'g.max_concurrent_vms as group_max_concurrent_vms',
        'm.enabled as membership_enabled',
        'm.priority as membership_priority',
        'm.created_at as joined_at',
        'm.vm_context_id',
        'c.vm_name',
        'c.current_status',
        'c.current_job_id',
        'c.last_successful_job_id',
      ])
      .orderBy('g.priority')
      .orderBy('g.name')
      .orderBy('m.priority')
      .orderBy('m.created_at')
      .orderBy('m.id')
      .execute();
    return rows;
  }

  /** The schedule of each VM that has one (enabled memberships only; the first by group priority wins). */
  async schedulesOfContexts(contextIds: readonly string[]): Promise<Map<string, ContextSchedule>> {
    const result = new Map<string, ContextSchedule>();
    if (contextIds.length === 0) return result;
    const rows = await this.deps.db
      .selectFrom('vm_group_memberships as m')
      .innerJoin('vm_machine_groups as g', 'g.id', 'm.group_id')
      .where('m.vm_context_id', 'in', [...contextIds])
      .where('m.enabled', '=', true)
      .select(['m.vm_context_id', 'm.group_id', 'g.schedule_id', 'm.schedule_override_id'])
      .orderBy('g.priority')
      .orderBy('m.priority')
      .execute();
    for (const row of rows) {
      const scheduleId = row.schedule_override_id ?? row.schedule_id;
      if (scheduleId === null || result.has(row.vm_context_id)) continue;
      result.set(row.vm_context_id, {
        vm_context_id: row.vm_context_id,
        schedule_id: scheduleId,
        group_id: row.group_id,
      });
    }
    return result;
  }

  /** How many members each group has. */
  async memberCounts(): Promise<Map<string, number>> {
    const rows = await this.deps.db
      .selectFrom('vm_group_memberships')
      .select((eb) => ['group_id', eb.fn.countAll<number>().as('members')])
      .groupBy('group_id')
      .execute();
    return new Map(rows.map((r) => [r.group_id, Number(r.members)]));
  }

  async listMembershipsOfContext(contextId: string): Promise<MembershipRecord[]> {
    return this.deps.db
      .selectFrom('vm_group_memberships')
      .selectAll()
      .where('vm_context_id', '=', contextId)
      .orderBy('created_at')
      .execute();
  }
}
