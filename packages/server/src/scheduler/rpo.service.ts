// RPO for the VM list, the context API, /metrics and the event stream (docs/scheduler.md#rpo): reads each VM's
// effective schedule, last good sync and what blocked its schedule's latest run, and computes its RPO. check()
// publishes an `rpo.alert` event when a VM enters or leaves `breached` (the previous state is kept in memory:
// a restart re-announces current breaches, which a dashboard treats as the same alert).
import type { Clock } from '@migratekit/core';
import type { ContextSchedule, ExecutionVmDetail, Repositories } from '@migratekit/db';
import type { PublishEvent } from '../events/event-types';
import { withContextSummaries } from '../replication/context-views';
import { scheduleCron } from './schedule-cron';
import { rpoOf, type RpoSchedule, type VmRpo } from './rpo';

export interface RpoServiceDeps {
  repositories: Pick<
    Repositories,
    'contexts' | 'schedules' | 'machineGroups' | 'scheduleExecutions' | 'replicationJobs' | 'vmDisks'
  >;
  clock: Clock;
  publish: PublishEvent;
}

export interface RpoContext {
  context_id: string;
  current_job_id: string | null;
  last_successful_sync_at: Date | null;
}

export interface VmRpoRow {
  context_id: string;
  vm_name: string;
  rpo: VmRpo;
}

const PAGE = 1000;

export interface RpoInputs {
  memberships: Map<string, ContextSchedule>;
  schedules: Map<string, RpoSchedule>;
  blockers: Map<string, string>;
}

export class RpoService {
  private readonly lastStates = new Map<string, string>();

  constructor(private readonly deps: RpoServiceDeps) {}

  /** The RPO of each of these VMs (a page of the VM list). */
  async forContexts(contexts: readonly RpoContext[]): Promise<Map<string, VmRpo>> {
    return this.compute(contexts, await this.inputsFor(contexts.map((c) => c.context_id)));
  }

  /**
   * What the RPO of these VMs depends on besides the VMs themselves (their schedules and what blocked them). It
   * needs only the ids, so the VM list reads it in the same round as the page's other details.
   */
  async inputsFor(contextIds: readonly string[]): Promise<RpoInputs> {
    const [memberships, schedules] = await Promise.all([
      this.deps.repositories.machineGroups.schedulesOfContexts(contextIds),
      this.schedules(),
    ]);
    const usedScheduleIds = [...new Set([...memberships.values()].map((m) => m.schedule_id))];
    return { memberships, schedules, blockers: await this.blockers(usedScheduleIds) };
  }

  compute(contexts: readonly RpoContext[], inputs: RpoInputs): Map<string, VmRpo> {
    const now = this.deps.clock.now();
    const result = new Map<string, VmRpo>();
    for (const context of contexts) {
      const membership = inputs.memberships.get(context.context_id);
      const schedule = membership === undefined ? undefined : inputs.schedules.get(membership.schedule_id);
      result.set(
        context.context_id,
        rpoOf({
          now,
          lastSyncAt: context.last_successful_sync_at,
          schedule,
          hasActiveJob: context.current_job_id !== null,
          blocker: inputs.blockers.get(context.context_id),
        }),
      );
    }
    return result;
  }

  /** Every managed VM with its RPO (metrics, alerts). */
  async all(): Promise<VmRpoRow[]> {
    const rows: VmRpoRow[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.deps.repositories.contexts.list({}, { limit: PAGE, offset });
      const contexts = await withContextSummaries(this.deps.repositories, page.items);
      const rpo = await this.forContexts(contexts);
      for (const context of contexts) {
        const value = rpo.get(context.context_id);
        if (value !== undefined) rows.push({ context_id: context.context_id, vm_name: context.vm_name, rpo: value });
      }
      if (page.items.length < PAGE) return rows;
    }
  }

  /** Publishes rpo.alert for every VM whose breach state changed since the last check. */
  async check(): Promise<void> {
    const at = this.deps.clock.now();
    for (const row of await this.all()) {
      const breached = row.rpo.state === 'breached';
      const previous = this.lastStates.get(row.context_id);
      this.lastStates.set(row.context_id, row.rpo.state);
      const wasBreached = previous === 'breached';
      if (breached === wasBreached || (previous === undefined && !breached)) continue;
      this.deps.publish({
        type: 'rpo.alert',
        context_id: row.context_id,
        vm_name: row.vm_name,
        alert: breached ? 'rpo_breached' : null,
        state: row.rpo.state,
        age_seconds: row.rpo.age_seconds,
        target_seconds: row.rpo.target_seconds,
        reason: row.rpo.reason,
        at,
      });
    }
  }

  private async schedules(): Promise<Map<string, RpoSchedule>> {
    const now = this.deps.clock.now();
    const result = new Map<string, RpoSchedule>();
    for (const s of await this.deps.repositories.schedules.list()) {
      let interval: number | null = null;
      try {
        interval = scheduleCron(s.cron_expression, s.timezone).intervalSeconds(now);
      } catch {
        // A stored expression croner no longer accepts: the VM shows no interval rather than failing the list.
        interval = null;
      }
      result.set(s.id, {
        id: s.id,
        name: s.name,
        enabled: s.enabled,
        interval_seconds: interval,
        target_rpo_seconds: s.target_rpo_seconds,
      });
    }
    return result;
  }

  /** What kept each VM from a job on its schedule's latest run: the skip reason or the failed start. */
  private async blockers(scheduleIds: readonly string[]): Promise<Map<string, string>> {
    const latest = await this.deps.repositories.scheduleExecutions.latestBySchedule(scheduleIds);
    const result = new Map<string, string>();
    const describe = (d: ExecutionVmDetail): string | undefined =>
      // A VM skipped because its own job is running is not blocked.
      (d.outcome === 'skipped' && d.reason !== 'active_job') || d.outcome === 'failed'
        ? (d.message ?? d.reason)
        : undefined;
    for (const execution of latest.values()) {
      if (execution.status === 'skipped' && execution.error !== null) continue;
      for (const detail of execution.details ?? []) {
        const text = describe(detail);
        if (text !== undefined) result.set(detail.vm_context_id, text);
      }
    }
    return result;
  }
}
