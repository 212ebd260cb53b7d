// Recovery plans (docs/recovery-plans.md): the plans with their ordered stages, create and edit, run as a test
// or live failover, and the runs of the selected plan with the live stage tracker of the latest one.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { useCanAct } from '../../auth/session';
import { StatusBadge } from '../../components/status-badge';
import { Button, Card, ConfirmDialog, Loading, PageHeader, QueryList } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { PlanForm } from './plan-form';
import { PLANS_KEY, usePlans, useRuns, type RecoveryPlan } from './recovery-plans.api';
import { RunTracker } from './run-tracker';

function stagesText(plan: RecoveryPlan): string {
  return plan.stages.map((s) => `${s.position + 1}. ${s.name} (${s.members.map((m) => m.name).join(', ')})`).join('  ');
}

function Runs({ plan }: { plan: RecoveryPlan }) {
  const runs = useRuns(plan.id);
  const [selected, setSelected] = useState<string | null>(null);
  const list = runs.data ?? [];
  const shown = list.find((r) => r.id === selected) ?? list[0];
  return (
    <Card title={`Runs of ${plan.name}`}>
      {runs.isPending ? (
        <Loading what="runs" />
      ) : list.length === 0 || shown === undefined ? (
        <p className="text-xs text-slate-500">Not run yet.</p>
      ) : (
        <div className="grid grid-cols-[16rem_1fr] gap-3">
          <ul className="space-y-1 text-xs" aria-label="Runs">
            {list.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  onClick={() => setSelected(r.id)}
                  aria-current={r.id === shown.id}
                  className={`flex w-full items-center gap-2 rounded px-2 py-1 text-left ${r.id === shown.id ? 'bg-sky-50 dark:bg-sky-950' : ''}`}
                >
                  <span className="w-8">{r.failover_type}</span>
                  <StatusBadge status={r.status} />
                  <span className="text-slate-500">{formatDateTime(r.created_at)}</span>
                </button>
              </li>
            ))}
          </ul>
          <RunTracker run={shown} />
        </div>
      )}
    </Card>
  );
}

function PlansTable({
  plans,
  selected,
  onSelect,
  onEdit,
}: {
  plans: RecoveryPlan[];
  selected: string | undefined;
  onSelect: (id: string) => void;
  onEdit: (p: RecoveryPlan) => void;
}) {
  const queryClient = useQueryClient();
  const canAct = useCanAct();
  const [confirm, setConfirm] = useState<
    { plan: RecoveryPlan; type: 'test' | 'live' } | { plan: RecoveryPlan; type: 'delete' } | null
  >(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: PLANS_KEY });
  const run = useMutation({
    mutationFn: (c: { plan: RecoveryPlan; type: 'test' | 'live' }) =>
      api.ops.runRecoveryPlan({ path: { id: c.plan.id }, body: { failover_type: c.type } }),
    onSuccess: async (_, c) => {
      setConfirm(null);
      onSelect(c.plan.id);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.ops.deleteRecoveryPlan({ path: { id } }),
    onSuccess: async () => {
      setConfirm(null);
      await refresh();
    },
  });
  return (
    <>
      <table className="w-full text-[13px]" aria-label="Recovery plans">
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th className="px-3 py-1.5 font-medium">Plan</th>
            <th className="px-3 py-1.5 font-medium">Stages</th>
            <th className="px-3 py-1.5" />
          </tr>
        </thead>
        <tbody>
          {plans.map((p) => (
            <tr
              key={p.id}
              className={`border-t border-slate-200 dark:border-slate-800 ${p.id === selected ? 'bg-sky-50 dark:bg-sky-950' : ''}`}
            >
              <td className="px-3 py-1.5 font-medium">
                <button type="button" className="hover:underline" onClick={() => onSelect(p.id)}>
                  {p.name}
                </button>
              </td>
              <td className="px-3 py-1.5 text-xs">{stagesText(p)}</td>
              <td className="space-x-1 px-3 py-1.5 text-right whitespace-nowrap">
                {canAct ? (
                  <>
                    <Button onClick={() => setConfirm({ plan: p, type: 'test' })} aria-label={`Test ${p.name}`}>
                      Test
                    </Button>
                    <Button onClick={() => setConfirm({ plan: p, type: 'live' })} aria-label={`Run ${p.name} live`}>
                      Live
                    </Button>
                    <Button variant="ghost" onClick={() => onEdit(p)} aria-label={`Edit ${p.name}`}>
                      Edit
                    </Button>
                    <Button
                      variant="ghost"
                      onClick={() => setConfirm({ plan: p, type: 'delete' })}
                      aria-label={`Delete ${p.name}`}
                    >
                      Delete
                    </Button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirm !== null && confirm.type !== 'delete' ? (
        <ConfirmDialog
          title={`${confirm.type === 'test' ? 'Test' : 'Live'} failover of ${confirm.plan.name}?`}
          consequences={
            confirm.type === 'test'
              ? 'Each stage starts a test failover of its VMs (sources stay on, test networks); a failed stage stops the plan.'
              : 'Each stage powers its source VMs off and starts them in CloudStack on the production networks; a failed stage stops the plan.'
          }
          confirmLabel={confirm.type === 'test' ? 'Start test' : 'Start live failover'}
          danger={confirm.type === 'live'}
          pending={run.isPending}
          error={run.error}
          onConfirm={() => run.mutate({ plan: confirm.plan, type: confirm.type })}
          onCancel={() => setConfirm(null)}
        />
      ) : null}
      {confirm?.type === 'delete' ? (
        <ConfirmDialog
          title={`Delete plan ${confirm.plan.name}?`}
          consequences="The plan and its run history are deleted; failovers it ran stay as they are."
          confirmLabel="Delete plan"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(confirm.plan.id)}
          onCancel={() => setConfirm(null)}
        />
      ) : null}
    </>
  );
}

export function RecoveryPlansPage() {
  const plans = usePlans();
  const canAct = useCanAct();
  const [editing, setEditing] = useState<RecoveryPlan | 'new' | null>(null);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const list = plans.data ?? [];
  const plan = list.find((p) => p.id === selected) ?? list[0];
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <PageHeader
        title="Recovery plans"
        subtitle="Fail over many VMs in ordered stages under one job; a failed stage stops the plan and what ran can be undone"
        actions={
          canAct ? (
            <Button variant="primary" onClick={() => setEditing('new')}>
              New plan
            </Button>
          ) : null
        }
      />
      <div className="min-h-0 flex-1 space-y-3 overflow-auto p-3">
        <Card title="Plans">
          <QueryList query={plans} items={list} what="recovery plans" empty="No recovery plan yet.">
            {(rows) => <PlansTable plans={[...rows]} selected={plan?.id} onSelect={setSelected} onEdit={setEditing} />}
          </QueryList>
        </Card>
        {plan !== undefined ? <Runs plan={plan} /> : null}
      </div>
      {editing !== null ? (
        <PlanForm {...(editing === 'new' ? {} : { plan: editing })} onClose={() => setEditing(null)} />
      ) : null}
    </div>
  );
}
