// Read side of replication jobs for the API: the paged list and one job with its per-disk rows, JobLog steps and,
// while it runs, the agent's last report.
import { MigrateKitError } from '@migratekit/core';
import { REPLICATION_JOB_STATUSES, type ReplicationJobStatus, type Repositories } from '@migratekit/db';
import type { JobLog } from '../joblog';
import type { ReplicationService } from './replication.service';

export interface ReplicationJobsDeps {
  repositories: Pick<Repositories, 'replicationJobs' | 'vmDisks'>;
  joblog: Pick<JobLog, 'getJob'>;
  replication: Pick<ReplicationService, 'liveProgress'>;
}

export interface ReplicationJobListQuery {
  contextId?: string | undefined;
  status?: string | undefined;
  limit: number;
  offset: number;
}

function parseStatus(raw: string): ReplicationJobStatus {
  const status = REPLICATION_JOB_STATUSES.find((s) => s === raw);
  if (status === undefined)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: `status must be one of ${REPLICATION_JOB_STATUSES.join(', ')}`,
      field: 'query.status',
    });
  return status;
}

export class ReplicationJobsService {
  constructor(private readonly deps: ReplicationJobsDeps) {}

  async list(query: ReplicationJobListQuery) {
    const page = await this.deps.repositories.replicationJobs.list(
      {
        ...(query.contextId === undefined ? {} : { contextId: query.contextId }),
        ...(query.status === undefined ? {} : { status: [parseStatus(query.status)] }),
      },
      { limit: query.limit, offset: query.offset },
    );
    return { ...page, limit: query.limit, offset: query.offset };
  }

  async details(jobId: string) {
    const job = await this.deps.repositories.replicationJobs.require(jobId);
    const disks = await this.deps.repositories.vmDisks.listByJob(job.id);
    const steps = (await this.deps.joblog.getJob(job.id))?.steps ?? [];
    return { ...job, disks, steps, live: this.deps.replication.liveProgress(job.id) ?? null };
  }
}
