import { Link } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { useJobs } from '../api/queries';
import { jobStatuses } from '@migratekit/core/statuses';
import type { Job } from '../api/models';
import { StatusBadge } from '../components/status-badge';
import { FilterBar } from '../components/filter-bar';
import { EmptyState, ErrorState, Loading, PageHeader, ProgressBar } from '../components/ui';
import { formatAge, formatDateTime, formatDuration } from '../lib/format';

export function jobKind(job: Pick<Job, 'job_type' | 'operation'>): string {
  return job.operation !== job.job_type ? `${job.job_type} / ${job.operation}` : job.job_type;
}

export function JobsPage() {
  const jobs = useJobs();
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const visible = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (jobs.data ?? []).filter(
      (j) =>
        (status === '' || j.status === status) &&
        (q === '' ||
          j.id.toLowerCase().includes(q) ||
          (j.vm_context_id ?? '').toLowerCase().includes(q) ||
          jobKind(j).includes(q)),
    );
  }, [jobs.data, status, search]);
  return (
    <>
      <PageHeader title="Jobs" subtitle="Every long operation, its steps and logs; updated live" />
      <FilterBar
        search={search}
        onSearch={setSearch}
        searchPlaceholder="Job id, context or kind"
        status={status}
        onStatus={setStatus}
        statusOptions={jobStatuses.values.map((s) => ({ value: s, label: s }))}
        statusClassName="w-40"
      />
      <div className="min-h-0 flex-1 overflow-auto">
        {jobs.isPending ? (
          <Loading what="jobs" />
        ) : jobs.isError ? (
          <ErrorState error={jobs.error} what="jobs" onRetry={() => void jobs.refetch()} />
        ) : visible.length === 0 ? (
          <EmptyState title={(jobs.data ?? []).length === 0 ? 'No job has run yet' : 'No job matches the filter'}>
            Replications, failovers and cleanups appear here as they start.
          </EmptyState>
        ) : (
          <table className="data-table w-full text-[13px]">
            <thead className="sticky top-0 bg-slate-100 text-left text-xs text-slate-600 dark:bg-slate-900 dark:text-slate-400">
              <tr>
                <th className="px-3 py-1.5 font-medium">Job</th>
                <th className="font-medium">Kind</th>
                <th className="font-medium">Status</th>
                <th className="w-40 font-medium">Progress</th>
                <th className="font-medium">VM context</th>
                <th className="font-medium">Started</th>
                <th className="pr-3 font-medium">Duration</th>
              </tr>
            </thead>
            <tbody>
              {visible.map((j) => (
                <tr
                  key={j.id}
                  className="border-b border-slate-100 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-900"
                >
                  <td className="px-3 py-1.5">
                    <Link
                      to="/jobs/$jobId"
                      params={{ jobId: j.id }}
                      className="font-mono text-xs text-sky-700 hover:underline dark:text-sky-400"
                    >
                      {j.id}
                    </Link>
                  </td>
                  <td className="text-xs">{jobKind(j)}</td>
                  <td>
                    <StatusBadge status={j.status} />
                  </td>
                  <td className="pr-3">
                    <div className="flex items-center gap-2">
                      <ProgressBar percent={j.progress_percent} label={`Progress of ${j.id}`} />
                      <span className="w-9 text-right text-xs tabular-nums">{Math.round(j.progress_percent)}%</span>
                    </div>
                  </td>
                  <td className="truncate font-mono text-xs">
                    {j.vm_context_id ? (
                      <Link
                        to="/vms"
                        search={{ ctx: j.vm_context_id }}
                        className="text-sky-700 hover:underline dark:text-sky-400"
                      >
                        {j.vm_context_id}
                      </Link>
                    ) : (
                      '-'
                    )}
                  </td>
                  <td className="text-xs" title={formatDateTime(j.started_at ?? j.created_at)}>
                    {formatAge(j.started_at ?? j.created_at)}
                  </td>
                  <td className="pr-3 text-xs tabular-nums">
                    {formatDuration(j.started_at ?? j.created_at, j.completed_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
