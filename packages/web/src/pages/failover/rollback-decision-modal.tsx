// The decision before undoing a failover, fed by the decision API: a test cleanup says what it discards; a live
// rollback also asks whether to power the source VM back on and whether to keep the target VM stopped for
// inspection, each choice saying what it does and what it loses.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { VmContextDetail } from '../../api/models';
import { Button, CheckboxField, InlineError, Loading, Modal } from '../../components/ui';
import { fetchRollbackDecision, startRollback } from './recovery.api';
import type { FailoverType } from './failover-options';

const CHOICES = {
  power_on_source: {
    label: 'Power the source VM back on in vSphere',
    on: 'The source starts again from its state at power-off: the users are back on vSphere.',
    off: 'The source stays powered off: start it yourself when you are ready, or fail over again.',
  },
  keep_target: {
    label: 'Keep the target VM, stopped, for inspection',
    on: 'The target VM is stopped and left in CloudStack without its disks (its volumes go back to MigrateKit); delete it yourself.',
    off: 'The target VM is destroyed with expunge: nothing of it stays in CloudStack.',
  },
} as const;

type Choice = keyof typeof CHOICES;

export function RollbackDecisionModal({
  vm,
  type,
  onClose,
  onStarted,
}: {
  vm: VmContextDetail;
  type: FailoverType;
  onClose: () => void;
  onStarted: (jobId: string) => void;
}) {
  const qc = useQueryClient();
  const decision = useQuery({
    queryKey: ['failover', 'rollback-decision', type, vm.context_id],
    queryFn: () => fetchRollbackDecision(type, vm.context_id),
    staleTime: 0,
    refetchOnMount: 'always',
  });
  const [choices, setChoices] = useState<Partial<Record<Choice, boolean>>>({});
  const d = decision.data;
  const value = (c: Choice): boolean => choices[c] ?? d?.options[c].default ?? false;
  const run = useMutation({
    mutationFn: () =>
      startRollback(type, vm.context_id, {
        power_on_source: type === 'live' && value('power_on_source'),
        keep_target: value('keep_target'),
      }),
    onSuccess: async (started) => {
      await qc.invalidateQueries({ queryKey: ['contexts'] });
      await qc.invalidateQueries({ queryKey: ['jobs'] });
      onStarted(started.job_id);
    },
  });
  const action = type === 'test' ? 'Clean up test failover' : 'Roll back live failover';
  return (
    <Modal
      wide
      title={`${action}: ${vm.vm_name}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" disabled={!d?.possible || run.isPending} onClick={() => run.mutate()}>
            {run.isPending ? 'Starting...' : type === 'test' ? 'Clean up' : 'Roll back'}
          </Button>
        </>
      }
    >
      {decision.isPending ? (
        <Loading what="what the rollback will do" />
      ) : decision.isError ? (
        <InlineError error={decision.error} />
      ) : d && !d.possible ? (
        <p role="status" className="text-[13px]">
          Nothing to undo: {d.reason}.
        </p>
      ) : d ? (
        <>
          <p className="text-[13px]">
            {type === 'test'
              ? 'Discards the test: the test VM and everything it wrote go away; the volumes return to the last sync.'
              : 'Returns the VM to vSphere: the CloudStack VM stops serving and its disks go back to the last sync.'}
            {d.failover_job?.target_vm_name ? (
              <>
                {' '}
                Target VM: <span className="font-mono">{d.failover_job.target_vm_name}</span>.
              </>
            ) : null}
          </p>
          <section aria-label="What it will do">
            <h3 className="text-xs font-semibold">It will, step by step</h3>
            <ol className="ml-4 list-decimal text-xs" data-testid="decision-will">
              {d.will.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ol>
          </section>
          <section aria-label="What is lost">
            <h3 className="text-xs font-semibold">What is lost</h3>
            <ul className="ml-4 list-disc text-xs" data-testid="decision-loses">
              {d.loses.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          </section>
          <fieldset className="space-y-2 rounded border border-slate-200 p-2 dark:border-slate-800">
            <legend className="px-1 text-xs font-semibold">Your choices</legend>
            {(Object.keys(CHOICES) as Choice[])
              .filter((c) => d.options[c].available)
              .map((c) => (
                <div key={c}>
                  <CheckboxField
                    label={CHOICES[c].label}
                    checked={value(c)}
                    onChange={(checked) => setChoices((s) => ({ ...s, [c]: checked }))}
                  />
                  <p className="mt-0.5 ml-5 text-[11px] text-slate-600 dark:text-slate-400" aria-live="polite">
                    {value(c) ? CHOICES[c].on : CHOICES[c].off}
                  </p>
                </div>
              ))}
          </fieldset>
        </>
      ) : null}
      <InlineError error={run.error} />
    </Modal>
  );
}
