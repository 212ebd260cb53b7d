// One job followed live over the event stream (no polling): its details are refetched when a step or its status
// changes, and log lines arrive as they are written. Used by the job page and the VM panel's failover tracker.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { JobDetail, LogEvent } from '../../api/models';
import { useStreamListener } from '../../events/event-stream';
import type { StreamEvent } from '../../events/event-stream';

export function eventJobId(e: StreamEvent): string | undefined {
  if (e.type === 'job.updated') return e.job.id;
  if (e.type === 'context.updated') return undefined;
  return 'job_id' in e ? e.job_id : undefined;
}

export function useLiveJob(jobId: string | undefined) {
  const qc = useQueryClient();
  const job = useQuery({
    queryKey: ['jobs', jobId],
    queryFn: () => api.ops.getJobsById({ path: { id: jobId ?? '' } }),
    enabled: jobId !== undefined,
  });
  const [liveLogs, setLiveLogs] = useState<LogEvent[]>([]);
  useEffect(() => setLiveLogs([]), [jobId]);

  useStreamListener((e) => {
    const id = eventJobId(e);
    if (id === undefined || jobId === undefined || (id !== jobId && id !== job.data?.id)) return;
    if (e.type === 'job.log') setLiveLogs((l) => [...l.slice(-499), e.log]);
    else if (e.type === 'job.step') void qc.invalidateQueries({ queryKey: ['jobs', jobId] });
    else if (e.type === 'job.updated' && e.job.status !== job.data?.status)
      void qc.invalidateQueries({ queryKey: ['jobs', jobId] });
  });

  return { job, logs: mergeLogs(job.data, liveLogs) };
}

/** A refetch after a step event returns log lines the stream already delivered: keep each id once. */
export function mergeLogs(job: JobDetail | undefined, live: LogEvent[]): LogEvent[] {
  const stored = job?.logs ?? [];
  const ids = new Set(stored.map((l) => l.id));
  return [...stored, ...live.filter((l) => !ids.has(l.id))];
}
