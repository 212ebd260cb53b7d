// The execution history: one row per tick or manual run, and for the chosen one every VM with its outcome and,
// when skipped, why (active job, failover state, cleanup required, agent offline, a concurrency limit...).
import { useState } from 'react';
import { StatusBadge } from '../../components/status-badge';
import { Card, QueryList } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useExecutions, type Schedule, type ScheduleExecution } from './schedules.api';

function ExecutionDetails({ execution }: { execution: ScheduleExecution }) {
  const details = execution.details ?? [];
  if (details.length === 0)
    return <p className="px-3 py-2 text-xs text-slate-500">{execution.error ?? 'No VM was part of this run.'}</p>;
  return (
    <table className="w-full text-xs" aria-label="Execution details">
      <thead className="text-left text-slate-500">
        <tr>
          <th className="px-3 py-1 font-medium">VM</th>
          <th className="px-3 py-1 font-medium">Outcome</th>
          <th className="px-3 py-1 font-medium">Reason</th>
        </tr>
      </thead>
      <tbody>
        {details.slice(0, 200).map((d) => (
          <tr key={d.vm_context_id} className="border-t border-slate-100 dark:border-slate-800">
            <td className="px-3 py-1">{d.vm_name ?? d.vm_context_id}</td>
            <td className="px-3 py-1">{d.outcome === 'created' ? `job ${d.job_id ?? ''}` : d.outcome}</td>
            <td className="px-3 py-1" title={d.reason}>
              {d.message ?? d.reason ?? '-'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ExecutionsCard({ schedules }: { schedules: Schedule[] }) {
  const executions = useExecutions();
  const [open, setOpen] = useState<string | null>(null);
  const names = new Map(schedules.map((s) => [s.id, s.name]));
  const items = executions.data?.items ?? [];
  return (
    <Card title="Execution history">
      <QueryList
        query={executions}
        items={items}
        what="executions"
        empty={'No run yet: the first tick or "Run now" records one here.'}
      >
        {(rows) => (
          <table className="w-full text-[13px]" aria-label="Schedule executions">
            <thead className="text-left text-xs text-slate-500">
              <tr>
                <th className="px-3 py-1.5 font-medium">When</th>
                <th className="px-3 py-1.5 font-medium">Schedule</th>
                <th className="px-3 py-1.5 font-medium">By</th>
                <th className="px-3 py-1.5 font-medium">Status</th>
                <th className="px-3 py-1.5 font-medium">Started</th>
                <th className="px-3 py-1.5 font-medium">Skipped</th>
                <th className="px-3 py-1.5 font-medium">Failed</th>
              </tr>
            </thead>
            {rows.map((e) => (
              <tbody key={e.id}>
                <tr
                  className="cursor-pointer border-t border-slate-200 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-900"
                  onClick={() => setOpen(open === e.id ? null : e.id)}
                  aria-expanded={open === e.id}
                >
                  <td className="px-3 py-1.5 tabular-nums">{formatDateTime(e.scheduled_at)}</td>
                  <td className="px-3 py-1.5">{names.get(e.schedule_id ?? '') ?? e.schedule_id ?? '-'}</td>
                  <td className="px-3 py-1.5">{e.triggered_by}</td>
                  <td className="px-3 py-1.5">
                    <StatusBadge status={e.status} />
                  </td>
                  <td className="px-3 py-1.5 tabular-nums">{e.jobs_created}</td>
                  <td className="px-3 py-1.5 tabular-nums">{e.jobs_skipped}</td>
                  <td className="px-3 py-1.5 tabular-nums">{e.jobs_failed}</td>
                </tr>
                {open === e.id ? (
                  <tr>
                    <td colSpan={7} className="bg-slate-50 dark:bg-slate-950">
                      <ExecutionDetails execution={e} />
                    </td>
                  </tr>
                ) : null}
              </tbody>
            ))}
          </table>
        )}
      </QueryList>
    </Card>
  );
}
