// The live stage tracker of a recovery plan run (docs/recovery-plans.md): each stage with its status and its
// child failovers (status, current step, progress), the reason a run failed, and "Undo what ran".
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../../api/client';
import { useCanAct } from '../../auth/session';
import { StatusBadge } from '../../components/status-badge';
import { Button, CheckboxField, ConfirmDialog, ProgressBar } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { PLANS_KEY, type PlanRun } from './recovery-plans.api';

const STAGE_TONE: Record<string, string> = {
  pending: 'border-slate-300 dark:border-slate-700',
  running: 'border-sky-500',
  completed: 'border-emerald-500',
  failed: 'border-red-500',
};

function waitLabel(stage: PlanRun['stages'][number]): string {
  if (stage.wait_condition === 'running') return `then target VMs Running (up to ${stage.wait_seconds} s)`;
  if (stage.wait_condition === 'delay') return `then wait ${stage.wait_seconds} s`;
  return 'then the next stage';
}

function UndoButton({ run }: { run: PlanRun }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [powerOn, setPowerOn] = useState(false);
  const undo = useMutation({
    mutationFn: () =>
      api.ops.undoRecoveryPlanRun({
        path: { id: run.plan_id, run_id: run.id },
        body: run.failover_type === 'live' ? { power_on_source: powerOn } : {},
      }),
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: PLANS_KEY });
    },
  });
  const done = run.stages.flatMap((s) => s.children).filter((c) => c.status === 'completed');
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Undo what ran
      </Button>
      {open ? (
        <ConfirmDialog
          title={`Undo run of ${run.plan_name}?`}
          consequences={
            <div className="space-y-2">
              <p>
                {run.failover_type === 'live' ? 'Rolls back' : 'Cleans up'} the {done.length} failover(s) that
                completed: {done.map((c) => c.vm_name).join(', ') || 'none'}. Everything the target VMs wrote is
                discarded; the volumes go back to the last sync.
              </p>
              {run.failover_type === 'live' ? (
                <CheckboxField label="Power the source VMs on again" checked={powerOn} onChange={setPowerOn} />
              ) : null}
            </div>
          }
          confirmLabel="Undo"
          pending={undo.isPending}
          error={undo.error}
          onConfirm={() => undo.mutate()}
          onCancel={() => setOpen(false)}
        />
      ) : null}
    </>
  );
}

export function RunTracker({ run }: { run: PlanRun }) {
  const canAct = useCanAct();
  const undoable = ['completed', 'failed', 'cancelled', 'undo_failed'].includes(run.status);
  return (
    <div data-testid="plan-run-tracker" data-run-status={run.status} className="space-y-2">
      <div className="flex items-center gap-2 text-[13px]">
        <span className="font-semibold">
          {run.failover_type} run of {run.plan_name}
        </span>
        <StatusBadge status={run.status} />
        <span className="text-xs text-slate-500">
          by {run.requested_by}, {formatDateTime(run.created_at)},{' '}
          <Link
            to="/jobs/$jobId"
            params={{ jobId: run.job_id }}
            className="text-sky-700 hover:underline dark:text-sky-400"
          >
            parent job
          </Link>
        </span>
        <span className="flex-1" />
        {canAct && undoable ? <UndoButton run={run} /> : null}
      </div>
      {run.error_message !== null ? (
        <p role="alert" className="rounded bg-red-50 px-2 py-1 text-xs text-red-800 dark:bg-red-950 dark:text-red-300">
          {run.error_message}
        </p>
      ) : null}
      <ol className="space-y-2" aria-label="Stages">
        {run.stages.map((stage) => (
          <li
            key={stage.position}
            data-testid="plan-stage"
            data-stage-status={stage.status}
            className={`rounded border-l-4 bg-slate-50 px-2 py-1.5 dark:bg-slate-950 ${STAGE_TONE[stage.status] ?? ''}`}
          >
            <div className="flex items-center gap-2 text-[13px]">
              <span className="font-medium">
                {stage.position + 1}. {stage.name}
              </span>
              <span className="text-xs text-slate-500">{stage.status}</span>
              <span className="text-xs text-slate-500">{waitLabel(stage)}</span>
            </div>
            <table className="mt-1 w-full text-xs" aria-label={`Failovers of stage ${stage.name}`}>
              <tbody>
                {stage.children.map((child) => (
                  <tr key={child.context_id} className="border-t border-slate-200 dark:border-slate-800">
                    <td className="w-40 py-1 pr-2 font-medium">
                      {child.workflow_job_id === null ? (
                        child.vm_name
                      ) : (
                        <Link
                          to="/jobs/$jobId"
                          params={{ jobId: child.workflow_job_id }}
                          className="text-sky-700 hover:underline dark:text-sky-400"
                          title="The failover job with every step and its log"
                        >
                          {child.vm_name}
                        </Link>
                      )}
                    </td>
                    <td className="w-32 py-1 pr-2">
                      {child.status === null ? (
                        <span className="text-slate-500">waiting</span>
                      ) : (
                        <StatusBadge status={child.status} />
                      )}
                    </td>
                    <td className="w-40 py-1 pr-2">
                      <ProgressBar percent={child.progress_percent} label={`Failover of ${child.vm_name}`} />
                    </td>
                    <td className="py-1 pr-2 text-slate-600 dark:text-slate-400">
                      {child.error_message ?? child.current_step ?? ''}
                    </td>
                    <td className="py-1 font-mono text-[11px] text-slate-500">{child.target_vm_name ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </li>
        ))}
      </ol>
      {run.undo_jobs.length > 0 ? (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          Undo: {run.undo_jobs.filter((j) => j.status === 'completed').length} of {run.undo_jobs.length} cleanup or
          rollback job(s) done.
          {run.undo_jobs
            .filter((j) => j.error !== null)
            .map((j) => ` ${j.context_id}: ${j.error ?? ''}.`)
            .join('')}
        </p>
      ) : null}
    </div>
  );
}
