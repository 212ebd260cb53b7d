import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { api, rows } from '../api/client';
import type { Job, JobStep, LogEvent } from '../api/types';
import { StatusBadge } from '../components/status-badge';
import { ThroughputChart } from '../components/throughput-chart';
import type { ThroughputSample } from '../components/throughput-chart';
import { Card, ErrorState, KeyValues, Loading, PageHeader, ProgressBar } from '../components/ui';
import { useStreamListener } from '../events/event-stream';
import type { StreamEvent } from '../events/event-stream';
import { formatBytes, formatDateTime, formatDuration } from '../lib/format';
import { jobKind } from './jobs.page';
import { CancelReplication } from './jobs/cancel-replication';
import { ReplicationCard, useReplicationDetails } from './jobs/replication-card';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function eventJobId(e: StreamEvent): string | undefined {
  const d = e.data;
  const job = isRecord(d.job) ? d.job : undefined;
  const id = d.job_id ?? d.jobId ?? job?.id ?? d.id;
  return typeof id === 'string' ? id : undefined;
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
    queryFn: async (): Promise<Job & { children?: Job[] }> => api.ops.getJobsById({ path: { id: jobId } }),
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
    if (id !== jobId && id !== job.data?.external_job_id) return;
    const log = isRecord(e.data.log) ? e.data.log : e.data;
    if (e.type.includes('log') && typeof log.message === 'string') {
      const entry: LogEvent = {
        ...(typeof log.id === 'number' || typeof log.id === 'string' ? { id: log.id } : {}),
        level: typeof log.level === 'string' ? log.level : 'info',
        message: log.message,
        step: typeof log.step === 'string' ? log.step : null,
        ts: typeof log.created_at === 'string' ? log.created_at : new Date().toISOString(),
        fields: isRecord(log.fields) ? log.fields : null,
      };
      setLiveLogs((l) => [...l.slice(-499), entry]);
      return;
    }
    // job.updated carries the stored job; replication progress may sit in its metadata.
    const jobData = isRecord(e.data.job) ? e.data.job : e.data;
    const d = { ...(isRecord(jobData.metadata) ? jobData.metadata : {}), ...jobData };
    const percent = num(d.progress_percent) ?? num(d.percent);
    const bytes = num(d.bytes_transferred) ?? num(d.bytes_done);
    const total = num(d.total_bytes) ?? num(d.bytes_total);
    const phase =
      typeof d.current_operation === 'string'
        ? d.current_operation
        : typeof d.operation === 'string'
          ? d.operation
          : undefined;
    setLive((l) => ({
      percent: percent ?? l.percent,
      bytes: bytes ?? l.bytes,
      total: total ?? l.total,
      phase: phase ?? l.phase,
    }));
    const now = Date.now();
    let rate = num(d.current_bps) ?? num(d.throughput_bps) ?? num(d.bytes_per_second);
    if (rate === undefined && bytes !== undefined) {
      const prev = lastBytes.current;
      if (prev && now > prev.t) rate = ((bytes - prev.bytes) * 1000) / (now - prev.t);
      lastBytes.current = { t: now, bytes };
    }
    if (rate !== undefined) setSamples((s) => [...s.slice(-299), { t: now, bytesPerSecond: Math.max(0, rate) }]);
    if (
      e.type.includes('step') ||
      e.type.includes('completed') ||
      e.type.includes('failed') ||
      typeof d.status === 'string'
    ) {
      void qc.invalidateQueries({ queryKey: ['jobs', jobId] });
    }
  });

  const data = job.data;
  const replication = useReplicationDetails(jobId, data?.job_type === 'replication');
  const steps = rows<JobStep>(data?.steps);
  // A refetch after a step event returns log lines the stream already delivered: keep each id once.
  const storedLogs = rows<LogEvent>(data?.logs);
  const storedIds = new Set(storedLogs.map((l) => l.id));
  const logs = [...storedLogs, ...liveLogs.filter((l) => l.id === undefined || !storedIds.has(l.id))];
  const doneSteps = steps.filter((s) => s.status === 'completed' || s.status === 'skipped').length;
  const percent = live.percent ?? data?.progress_percent ?? 0;
  const bytes = live.bytes ?? data?.bytes_transferred ?? replication.data?.bytes_transferred ?? undefined;
  const total = live.total ?? data?.total_bytes ?? replication.data?.total_bytes ?? undefined;

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
                    ['External id', data.external_job_id ?? '-'],
                    [
                      'VM context',
                      (data.context_id ?? data.vm_context_id) ? (
                        <Link
                          key="c"
                          to="/vms"
                          search={{ ctx: data.context_id ?? data.vm_context_id ?? '' }}
                          className="font-mono text-sky-700 hover:underline dark:text-sky-400"
                        >
                          {data.context_id ?? data.vm_context_id}
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
                {(data.error_message ?? data.error) ? (
                  <p
                    role="alert"
                    className="mt-2 rounded bg-red-50 p-2 font-mono text-xs text-red-800 dark:bg-red-950/50 dark:text-red-200"
                  >
                    {data.error_message ?? data.error}
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
                    : `${doneSteps} of ${data?.total_steps ?? steps.length} steps`}
                </p>
                <ThroughputChart samples={samples} />
              </Card>
            </div>
            {replication.data ? <ReplicationCard details={replication.data} /> : null}
            {(data.children ?? []).length > 0 ? (
              <Card title={`Child jobs (${data.children?.length ?? 0})`}>
                <ul className="space-y-1 text-xs">
                  {(data.children ?? []).map((c) => (
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
                      <span className="tabular-nums">{Math.round(c.progress_percent ?? 0)}%</span>
                    </li>
                  ))}
                </ul>
              </Card>
            ) : null}
            <Card title={`Steps (${steps.length})`}>
              {steps.length === 0 ? (
                <p className="text-xs text-slate-500">This job has no recorded step yet.</p>
              ) : (
                <ol className="divide-y divide-slate-100 dark:divide-slate-800">
                  {steps.map((s, i) => (
                    <li
                      key={`${s.step_order ?? s.seq ?? i}-${s.name}`}
                      className="grid grid-cols-[24px_1fr_110px_180px_70px] items-start gap-2 py-1.5 text-xs"
                    >
                      <span className="text-slate-400 tabular-nums">{i + 1}</span>
                      <div>
                        <p className="font-medium">{s.name}</p>
                        {(s.error ?? s.error_message) ? (
                          <p className="mt-0.5 font-mono text-red-700 dark:text-red-400">
                            {s.error_code ? `${s.error_code}: ` : ''}
                            {s.error ?? s.error_message}
                          </p>
                        ) : null}
                      </div>
                      <StatusBadge status={s.status} />
                      <span className="text-slate-500">{formatDateTime(s.started_at)}</span>
                      <span className="text-right tabular-nums">
                        {s.started_at ? formatDuration(s.started_at, s.completed_at) : '-'}
                      </span>
                    </li>
                  ))}
                </ol>
              )}
            </Card>
            <Card title={`Log (${logs.length})`}>
              {logs.length === 0 ? (
                <p className="text-xs text-slate-500">No log line yet.</p>
              ) : (
                <pre className="max-h-96 overflow-auto rounded bg-slate-950 p-2 font-mono text-[11px] leading-relaxed break-all whitespace-pre-wrap text-slate-200">
                  {logs.map((l, i) => (
                    <div
                      key={l.id ?? i}
                      className={l.level === 'error' ? 'text-red-400' : l.level === 'warn' ? 'text-amber-300' : ''}
                    >
                      {(l.ts ?? l.created_at ?? '').replace('T', ' ').slice(0, 19)} {l.level.toUpperCase().padEnd(5)}{' '}
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
