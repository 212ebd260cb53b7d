import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { LogEvent } from '../api/models';
import { StatusBadge } from '../components/status-badge';
import { ThroughputChart } from '../components/throughput-chart';
import type { ThroughputSample } from '../components/throughput-chart';
import { Card, ErrorState, KeyValues, Loading, PageHeader, ProgressBar } from '../components/ui';
import { useStreamListener } from '../events/event-stream';
import type { StreamEvent } from '../events/event-stream';
import { formatBytes, formatDateTime, formatDuration } from '../lib/format';
import { jobKind } from './jobs.page';
import { JobAttention } from './failover/job-attention';
import { StepTracker } from './failover/step-tracker';
import { CancelReplication } from './jobs/cancel-replication';
import { ReplicationCard, useReplicationDetails } from './jobs/replication-card';

function eventJobId(e: StreamEvent): string | undefined {
  if (e.type === 'job.updated') return e.job.id;
  if (e.type === 'context.updated' || e.type === 'rpo.alert' || e.type === 'schedule.execution') return undefined;
  return e.job_id;
}

interface Live {
  percent?: number;
  bytes?: number;
  total?: number;
  phase?: string;
}

export function JobDetailPage() {
  const { jobId } = useParams({ from: '/jobs/$jobId' });
  const qc = useQueryClient();
  const job = useQuery({
    queryKey: ['jobs', jobId],
    queryFn: () => api.ops.getJobsById({ path: { id: jobId } }),
  });
  const [live, setLive] = useState<Live>({});
  const [liveLogs, setLiveLogs] = useState<LogEvent[]>([]);
  const [samples, setSamples] = useState<ThroughputSample[]>([]);
  const lastBytes = useRef<{ t: number; bytes: number } | null>(null);

  useEffect(() => {
    setLive({});
    setLiveLogs([]);
    setSamples([]);
    lastBytes.current = null;
  }, [jobId]);

  useStreamListener((e) => {
    const id = eventJobId(e);
    if (id === undefined || (id !== jobId && id !== job.data?.id)) return;
    switch (e.type) {
      case 'job.log':
        setLiveLogs((l) => [...l.slice(-499), e.log]);
        return;
      case 'job.step':
        void qc.invalidateQueries({ queryKey: ['jobs', jobId] });
        return;
      case 'job.updated':
        setLive((l) => ({ ...l, percent: e.job.progress_percent }));
        if (e.job.status !== job.data?.status) void qc.invalidateQueries({ queryKey: ['jobs', jobId] });
        return;
      case 'replication.progress': {
        setLive({ percent: e.progress_percent, bytes: e.bytes_done, total: e.bytes_total, phase: e.phase });
        const now = Date.now();
        lastBytes.current = { t: now, bytes: e.bytes_done };
        setSamples((s) => [...s.slice(-299), { t: now, bytesPerSecond: Math.max(0, e.current_bps) }]);
        return;
      }
    }
  });

  const data = job.data;
  const replication = useReplicationDetails(jobId, data?.job_type === 'replication');
  const steps = data?.steps ?? [];
  // A refetch after a step event returns log lines the stream already delivered: keep each id once.
  const storedLogs = data?.logs ?? [];
  const storedIds = new Set(storedLogs.map((l) => l.id));
  const logs = [...storedLogs, ...liveLogs.filter((l) => !storedIds.has(l.id))];
  const doneSteps = steps.filter((s) => s.status === 'completed').length;
  const percent = live.percent ?? data?.progress_percent ?? 0;
  const bytes = live.bytes ?? replication.data?.bytes_transferred;
  const total = live.total ?? replication.data?.total_bytes;

  return (
    <>
      <PageHeader
        title={`Job ${jobId}`}
        subtitle={
          <Link to="/jobs" className="text-sky-700 hover:underline dark:text-sky-400">
            All jobs
          </Link>
        }
        actions={
          data ? (
            <>
              <CancelReplication jobId={jobId} jobType={data.job_type} status={data.status} />
              <StatusBadge status={data.status} />
            </>
          ) : null
        }
      />
      <div className="min-h-0 flex-1 space-y-3 overflow-auto p-3">
        {job.isPending ? (
          <Loading what="the job" />
        ) : job.isError ? (
          <ErrorState error={job.error} what={`job ${jobId}`} onRetry={() => void job.refetch()} />
        ) : data ? (
          <>
            <div className="grid gap-3 lg:grid-cols-[1fr_1.4fr]">
              <Card title="Summary">
                <KeyValues
                  items={[
                    ['Kind', jobKind(data)],
                    ['Status', <StatusBadge key="s" status={data.status} />],
                    ['External id', data.external_job_id],
                    [
                      'VM context',
                      data.vm_context_id ? (
                        <Link
                          key="c"
                          to="/vms"
                          search={{ ctx: data.vm_context_id }}
                          className="font-mono text-sky-700 hover:underline dark:text-sky-400"
                        >
                          {data.vm_context_id}
                        </Link>
                      ) : (
                        '-'
                      ),
                    ],
                    ['Created', formatDateTime(data.created_at)],
                    ['Started', formatDateTime(data.started_at)],
                    ['Completed', formatDateTime(data.completed_at)],
                    ['Duration', formatDuration(data.started_at ?? data.created_at, data.completed_at)],
                    ['Phase', live.phase ?? '-'],
                  ]}
                />
                {data.error_message ? (
                  <p
                    role="alert"
                    className="mt-2 rounded bg-red-50 p-2 font-mono text-xs text-red-800 dark:bg-red-950/50 dark:text-red-200"
                  >
                    {data.error_message}
                  </p>
                ) : null}
              </Card>
              <Card title="Progress">
                <div className="mb-2 flex items-center gap-2">
                  <ProgressBar percent={percent} label="Job progress" />
                  <span className="w-12 text-right text-sm font-semibold tabular-nums" data-testid="job-percent">
                    {Math.round(percent)}%
                  </span>
                </div>
                <p className="mb-2 text-xs text-slate-500">
                  {bytes !== undefined
                    ? `${formatBytes(bytes)} of ${formatBytes(total)}`
                    : `${doneSteps} of ${data.total_steps ?? steps.length} steps`}
                </p>
                <ThroughputChart samples={samples} />
              </Card>
            </div>
            <JobAttention job={data} />
            {replication.data ? <ReplicationCard details={replication.data} /> : null}
            {data.children.length > 0 ? (
              <Card title={`Child jobs (${data.children.length})`}>
                <ul className="space-y-1 text-xs">
                  {data.children.map((c) => (
                    <li key={c.id} className="flex items-center gap-2">
                      <Link
                        to="/jobs/$jobId"
                        params={{ jobId: c.id }}
                        className="font-mono text-sky-700 hover:underline dark:text-sky-400"
                      >
                        {c.id}
                      </Link>
                      <span className="text-slate-500">{jobKind(c)}</span>
                      <StatusBadge status={c.status} />
                      <span className="tabular-nums">{Math.round(c.progress_percent)}%</span>
                    </li>
                  ))}
                </ul>
              </Card>
            ) : null}
            <Card title={`Steps (${steps.length})`}>
              <StepTracker job={data} logs={logs} />
            </Card>
            <Card title={`Log (${logs.length})`}>
              {logs.length === 0 ? (
                <p className="text-xs text-slate-500">No log line yet.</p>
              ) : (
                <pre className="max-h-96 overflow-auto rounded bg-slate-950 p-2 font-mono text-[11px] leading-relaxed break-all whitespace-pre-wrap text-slate-200">
                  {logs.map((l) => (
                    <div
                      key={l.id}
                      className={l.level === 'error' ? 'text-red-400' : l.level === 'warn' ? 'text-amber-300' : ''}
                    >
                      {l.created_at.replace('T', ' ').slice(0, 19)} {l.level.toUpperCase().padEnd(5)}{' '}
                      {l.step ? `[${l.step}] ` : ''}
                      {l.message}
                      {l.fields && Object.keys(l.fields).length ? ` ${JSON.stringify(l.fields)}` : ''}
                    </div>
                  ))}
                </pre>
              )}
            </Card>
          </>
        ) : null}
      </div>
    </>
  );
}
