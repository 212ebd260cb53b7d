// What a workflow job that stopped short says to the operator: why it stopped (the pause reason, or the failed
// compensation and the failure it was undoing) and the actions that resolve it, each saying what it will do.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api/client';
import type { JobDetail } from '../../api/models';
import { useCanAct } from '../../auth/session';
import { Button, ConfirmDialog, InlineError } from '../../components/ui';
import { stepTitle } from './step-tracker';

type Decision = 'resume' | 'compensate';

interface Action {
  decision: Decision;
  label: string;
  explains: ReactNode;
}

interface Attention {
  title: string;
  why: ReactNode;
  actions: Action[];
}

const RESUME: Action = {
  decision: 'resume',
  label: 'Resume',
  explains:
    'Asks the interrupted step what really happened (it reads CloudStack and vCenter), records it, then runs the remaining steps.',
};

function undo(label: string): Action {
  return {
    decision: 'compensate',
    label,
    explains:
      'Undoes the steps that completed, last first (each undo is its own step below). The VM goes back to where it was before the job.',
  };
}

function attentionOf(job: JobDetail): Attention | null {
  const failedStep = [...job.steps].reverse().find((s) => s.status === 'failed');
  switch (job.status) {
    case 'paused':
      return {
        title: 'Paused: waiting for your decision',
        why: job.pause_reason ?? 'The job was interrupted and its policy is to ask before going on.',
        actions: [RESUME, undo('Undo what was done')],
      };
    case 'cleanup_required':
      return {
        title: 'Cleanup required: an undo step failed',
        why: (
          <>
            {failedStep ? <>The step “{stepTitle(failedStep)}” failed. </> : null}
            {job.error_message ?? 'A compensation failed; what it was undoing may still exist.'}
          </>
        ),
        actions: [undo('Run the undo steps again')],
      };
    case 'compensated':
      return {
        title: 'Failed, and everything it did was undone',
        why: job.error_message ?? 'A step failed; its completed steps were compensated.',
        actions: [],
      };
    case 'failed':
      return {
        title: 'Failed',
        why: job.error_message ?? 'A step failed; there was nothing to undo.',
        actions: [],
      };
    default:
      return null;
  }
}

export function JobAttention({ job, extraActions }: { job: JobDetail; extraActions?: ReactNode }) {
  const canAct = useCanAct();
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState<Action | null>(null);
  const decide = useMutation({
    mutationFn: (decision: Decision) => api.ops.postJobsByIdDecisionByDecision({ path: { id: job.id, decision } }),
    onSuccess: async () => {
      setConfirming(null);
      await qc.invalidateQueries({ queryKey: ['jobs'] });
      await qc.invalidateQueries({ queryKey: ['contexts'] });
    },
  });
  const attention = attentionOf(job);
  if (!attention) return null;
  const needsAction = attention.actions.length > 0;
  return (
    <div
      role={needsAction ? 'alert' : 'status'}
      data-testid="job-attention"
      className={`rounded border p-2 text-xs ${needsAction ? 'border-amber-400 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100' : 'border-slate-300 bg-slate-50 dark:border-slate-700 dark:bg-slate-900'}`}
    >
      <p className="font-semibold">{attention.title}</p>
      <p className="mt-0.5 break-words">{attention.why}</p>
      {canAct && (needsAction || extraActions) ? (
        <div className="mt-2 flex flex-wrap gap-1.5">
          {attention.actions.map((a) => (
            <Button
              key={a.decision}
              variant={a.decision === 'resume' ? 'primary' : 'secondary'}
              onClick={() => setConfirming(a)}
            >
              {a.label}
            </Button>
          ))}
          {extraActions}
        </div>
      ) : null}
      {!confirming ? <InlineError error={decide.error} /> : null}
      {confirming ? (
        <ConfirmDialog
          title={`${confirming.label}: job ${job.id}`}
          consequences={confirming.explains}
          confirmLabel={confirming.label}
          danger={confirming.decision === 'compensate'}
          pending={decide.isPending}
          error={decide.error}
          onConfirm={() => decide.mutate(confirming.decision)}
          onCancel={() => {
            setConfirming(null);
            decide.reset();
          }}
        />
      ) : null}
    </div>
  );
}
