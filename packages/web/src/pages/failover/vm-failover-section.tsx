// The VM panel's failover section: readiness (when a failover could start) and the VM's latest failover, cleanup
// or rollback followed live step by step, with what a stopped job needs.
import { Link } from '@tanstack/react-router';
import { jobStatuses } from '@migratekit/core/statuses';
import type { VmContextDetail } from '../../api/models';
import { StatusBadge } from '../../components/status-badge';
import { JobAttention } from './job-attention';
import { FailoverReadiness, type ReadinessActions } from './failover-readiness';
import { StepTracker } from './step-tracker';
import { useLiveJob } from './use-live-job';
import { useVmJobs } from './vm-jobs';

function LatestWorkflowJob({ jobId }: { jobId: string }) {
  const { job, logs } = useLiveJob(jobId);
  if (!job.data) return null;
  const j = job.data;
  return (
    <div className="space-y-1.5" data-testid="vm-failover-tracker">
      <p className="flex items-center justify-between gap-2 text-xs">
        <span className="min-w-0 truncate">
          <span className="font-medium">{j.operation}</span>{' '}
          <Link to="/jobs/$jobId" params={{ jobId: j.id }} className="text-sky-700 hover:underline dark:text-sky-400">
            Open job
          </Link>
        </span>
        <span data-testid="tracker-job-status" className="contents">
          <StatusBadge status={j.status} />
        </span>
      </p>
      <JobAttention job={j} />
      <StepTracker job={j} logs={logs} compact />
    </div>
  );
}

export function VmFailoverSection({ vm, actions }: { vm: VmContextDetail; actions: ReadinessActions }) {
  const jobs = useVmJobs(vm.context_id);
  const latest = (jobs.data ?? []).find((j) => j.workflow_name !== null);
  const busy = latest !== undefined && !jobStatuses.isFinal(latest.status);
  // Readiness is for a failover that could start: not while one runs or after the VM failed over.
  const canStart =
    !busy &&
    (vm.current_status === 'ready_for_failover' ||
      vm.current_status === 'discovered' ||
      vm.current_status === 'failed');
  return (
    <div className="space-y-2">
      {canStart ? <FailoverReadiness vm={vm} actions={actions} /> : null}
      {latest ? (
        <LatestWorkflowJob jobId={latest.id} />
      ) : !canStart && !busy ? (
        <p className="text-xs text-slate-500">No failover has run for this VM.</p>
      ) : null}
    </div>
  );
}
