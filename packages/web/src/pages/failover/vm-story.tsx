// A VM's story in the context panel: every job that touched it (replications, failovers, cleanups, rollbacks)
// with who started it, and every audited decision on it (failover options, rollback choices, resume / undo),
// newest first, in one list.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../../api/client';
import type { Job, ReplicationJob, Result } from '../../api/models';
import { StatusBadge } from '../../components/status-badge';
import { ErrorState, Loading } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useVmJobs } from './vm-jobs';

type AuditEvent = Result<'getVmContextsByIdAuditEvents'>['items'][number];

type Entry =
  | { type: 'job'; at: string; id: string; kind: string; status: string; startedBy: string | null }
  | { type: 'decision'; at: string; event: AuditEvent };

const JOB_KIND: Record<string, string> = {
  replication: 'Replication',
  failover: 'Failover',
  cleanup: 'Test cleanup',
  rollback: 'Live rollback',
  'failover-repair': 'Failed-execution cleanup',
};

function jobKindLabel(job: Pick<Job, 'job_type' | 'operation' | 'workflow_name'>): string {
  if (job.workflow_name === 'test-failover') return 'Test failover';
  if (job.workflow_name === 'live-failover') return 'Live failover';
  return JOB_KIND[job.job_type] ?? job.job_type;
}

/** The audit event that records who started a job (its target is the job, or its details name it). */
function starterOf(job: Job, events: AuditEvent[]): string | null {
  const ids = [job.id, job.external_job_id];
  const started = events.find(
    (e) =>
      (e.target_id !== null && ids.includes(e.target_id)) ||
      (typeof e.details?.job_id === 'string' && ids.includes(e.details.job_id)),
  );
  // Workflow jobs are owned by a server (their lease); a replication's owner is the user who asked for it.
  return started?.actor ?? (job.workflow_name === null ? job.owner : null);
}

function detailsText(details: AuditEvent['details']): string {
  if (!details) return '';
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${String(v)}`)
    .join(', ');
}

export function buildStory(jobs: Job[], replications: ReplicationJob[], events: AuditEvent[]): Entry[] {
  const entries: Entry[] = jobs.map((j) => ({
    type: 'job',
    at: j.created_at,
    id: j.id,
    kind: jobKindLabel(j),
    status: j.status,
    startedBy: starterOf(j, events),
  }));
  const known = new Set(jobs.map((j) => j.id));
  for (const r of replications)
    if (!known.has(r.id))
      entries.push({
        type: 'job',
        at: r.created_at,
        id: r.id,
        kind: `Replication (${r.replication_type})`,
        status: r.status,
        startedBy: r.scheduled_by ? `schedule ${r.scheduled_by}` : null,
      });
  for (const event of events) entries.push({ type: 'decision', at: event.created_at, event });
  return entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

export function VmStory({ contextId, replications }: { contextId: string; replications: ReplicationJob[] }) {
  const jobs = useVmJobs(contextId);
  const audit = useQuery({
    queryKey: ['contexts', contextId, 'audit'],
    queryFn: async () =>
      (await api.ops.getVmContextsByIdAuditEvents({ path: { id: contextId }, query: { limit: 100 } })).items,
  });
  if (jobs.isPending || audit.isPending) return <Loading what="history" />;
  if (jobs.isError) return <ErrorState error={jobs.error} what="jobs" onRetry={() => void jobs.refetch()} />;
  if (audit.isError) return <ErrorState error={audit.error} what="decisions" onRetry={() => void audit.refetch()} />;
  const story = buildStory(jobs.data, replications, audit.data);
  if (story.length === 0) return <p className="text-xs text-slate-500">No job has run for this VM.</p>;
  return (
    <ol aria-label="History, newest first" className="space-y-1.5 text-xs">
      {story.map((e) =>
        e.type === 'job' ? (
          <li key={`job-${e.id}`} className="flex items-start justify-between gap-2">
            <div className="min-w-0">
              <p>
                <span className="font-medium">{e.kind}</span>{' '}
                <span className="text-slate-500">
                  {formatDateTime(e.at)}
                  {e.startedBy ? ` · started by ${e.startedBy}` : ''}
                </span>
              </p>
              <Link
                to="/jobs/$jobId"
                params={{ jobId: e.id }}
                className="block truncate font-mono text-sky-700 hover:underline dark:text-sky-400"
              >
                {e.id}
              </Link>
            </div>
            <StatusBadge status={e.status} />
          </li>
        ) : (
          <li key={`audit-${e.event.id}`} className="border-l-2 border-slate-300 pl-2 dark:border-slate-700">
            <p>
              <span className="font-medium">Decision: {e.event.action}</span>{' '}
              <span className="text-slate-500">
                {formatDateTime(e.at)} · by {e.event.actor}
                {e.event.outcome && e.event.outcome !== 'success' ? ` · ${e.event.outcome}` : ''}
              </span>
            </p>
            {detailsText(e.event.details) ? (
              <p className="break-words text-slate-600 dark:text-slate-400">{detailsText(e.event.details)}</p>
            ) : null}
          </li>
        ),
      )}
    </ol>
  );
}
