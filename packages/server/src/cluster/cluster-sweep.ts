// The periodic work every server does after its heartbeat (docs/scale-out.md#what-is-claimed-how): stop driving
// replications another server ended, end the plain jobs of dead servers (their leases expired), then claim the
// replications queued for the agents connected here. Workflow jobs are taken over by the workflow runner's own
// heartbeat; the scheduler's leader lease is the scheduler's.
import type { Logger } from 'pino';
import type { JobLog } from '../joblog';
import type { ReplicationService } from '../replication/replication.service';

export interface ClusterSweepDeps {
  joblog: Pick<JobLog, 'markInterruptedJobs'>;
  replication: Pick<ReplicationService, 'abortEndedElsewhere' | 'recoverInterrupted' | 'claimQueued'>;
  logger: Pick<Logger, 'info' | 'warn'>;
}

export async function clusterSweep(deps: ClusterSweepDeps): Promise<void> {
  const aborted = await deps.replication.abortEndedElsewhere();
  if (aborted > 0) deps.logger.warn({ jobs: aborted }, 'stopped replications another server had ended');
  const interrupted = await deps.joblog.markInterruptedJobs({ includeOwn: false });
  if (interrupted.length > 0)
    deps.logger.warn({ jobs: interrupted.map((job) => job.id) }, 'marked jobs of stopped servers as interrupted');
  await deps.replication.recoverInterrupted();
  const claimed = await deps.replication.claimQueued();
  if (claimed > 0) deps.logger.info({ jobs: claimed }, 'claimed replications queued for agents connected here');
}
