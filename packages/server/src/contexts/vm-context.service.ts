// The operator's read view of managed VMs: the list (filtered by status and name) and one VM with its latest
// disks, NICs, CloudStack volumes and jobs.
import { MigrateKitError, contextStatuses, type ContextStatus } from '@migratekit/core';
import type { FailoverJobRecord, Repositories } from '@migratekit/db';
import { withContextSummaries } from '../replication/context-views';
import type { RpoService } from '../scheduler/rpo.service';

export interface VmContextServiceDeps {
  repositories: Pick<Repositories, 'contexts' | 'vmDisks' | 'cloudstackVolumes' | 'replicationJobs' | 'failoverJobs'>;
  /** Each VM's RPO against its schedule (docs/scheduler.md#rpo). */
  rpo: Pick<RpoService, 'forContexts' | 'inputsFor' | 'compute'>;
}

export interface VmContextListQuery {
  /** Comma-separated context statuses. */
  status?: string | undefined;
  search?: string | undefined;
  limit: number;
  offset: number;
}

function parseStatuses(raw: string): ContextStatus[] {
  const statuses = raw.split(',').map((s) => s.trim());
  const unknown = statuses.filter((s) => !contextStatuses.is(s));
  if (unknown.length > 0)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: `Unknown status ${unknown.join(', ')}`,
      field: 'query.status',
    });
  return statuses as ContextStatus[];
}

/** A failover that holds the VM (its context status changes only when the failover ends). */
function activeFailoverView(job: FailoverJobRecord | undefined) {
  return job === undefined ? null : { job_id: job.job_id, failover_type: job.job_type, status: job.status };
}

export class VmContextService {
  constructor(private readonly deps: VmContextServiceDeps) {}

  async list(query: VmContextListQuery) {
    const page = await this.deps.repositories.contexts.list(
      {
        ...(query.status === undefined ? {} : { status: parseStatuses(query.status) }),
        ...(query.search === undefined ? {} : { search: query.search }),
      },
      { limit: query.limit, offset: query.offset },
    );
    // One round for everything the page's rows need: each read takes only the ids.
    const ids = page.items.map((c) => c.context_id);
    const [summaries, rpoInputs, failovers] = await Promise.all([
      withContextSummaries(this.deps.repositories, page.items),
      this.deps.rpo.inputsFor(ids),
      this.deps.repositories.failoverJobs.activeByContexts(ids),
    ]);
    const rpo = this.deps.rpo.compute(summaries, rpoInputs);
    const items = summaries.map((c) => ({
      ...c,
      rpo: rpo.get(c.context_id) ?? null,
      active_failover: activeFailoverView(failovers.get(c.context_id)),
    }));
    return { items, total: page.total, limit: query.limit, offset: query.offset };
  }

  async details(contextId: string) {
    const repos = this.deps.repositories;
    const [context] = await withContextSummaries(repos, [await repos.contexts.require(contextId)]);
    if (context === undefined) throw new Error('withContextSummaries returned no row for one context');
    const disks = await repos.vmDisks.listLatestByContext(context.context_id);
    const volumes = await repos.cloudstackVolumes.listByContext(context.context_id);
    const jobs = await repos.replicationJobs.list({ contextId: context.context_id }, { limit: 50 });
    const rpo = (await this.deps.rpo.forContexts([context])).get(context.context_id) ?? null;
    const failover = (await repos.failoverJobs.activeByContexts([context.context_id])).get(context.context_id);
    // Alert states the dashboard and API clients act on; rpo_breached while the RPO target is exceeded.
    const alerts = rpo?.state === 'breached' ? ['rpo_breached' as const] : [];
    const active_failover = activeFailoverView(failover);
    return {
      ...context,
      rpo,
      active_failover,
      alerts,
      disks,
      networks: disks[0]?.nics ?? [],
      volumes,
      jobs: jobs.items,
    };
  }
}
