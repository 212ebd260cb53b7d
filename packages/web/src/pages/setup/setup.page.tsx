// The first-run checklist (docs/install.md#first-run-setup). Each step shows the server's verdict (done, or what
// is wrong) and, opened, the same form Settings uses for it: nothing here duplicates a settings form. The first
// step not done is open unless the operator opened another. Every change made here refreshes the verdicts.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api/client';
import type { SetupStep } from '../../api/models';
import { useAgents, useSetupStatus } from '../../api/queries';
import { useCanAct } from '../../auth/session';
import { Button, ErrorState, InlineError, Loading, PageHeader } from '../../components/ui';
import { AgentList } from '../settings/agents.tab';
import { CloudStackTab } from '../settings/cloudstack.tab';
import { CredentialsTab } from '../settings/credentials.tab';
import { PairingTokenPanel } from '../settings/pairing-token.panel';

type StepId = SetupStep['id'];

const TITLES: Record<StepId, string> = {
  vcenter: 'Add and test the vCenter credential',
  cloudstack: 'Add and test CloudStack, and choose its resources',
  agent_paired: 'Pair an agent',
  agent_online: 'Wait for the agent to come online',
  discovery: 'Run the first discovery',
};

function FirstDiscovery() {
  const canAct = useCanAct();
  const discover = useMutation({
    // The default credential, all datacenters: the same call as the Discovery page's first search.
    mutationFn: () => api.ops.postDiscover({ body: {} }),
  });
  if (!canAct) return <p className="text-xs text-slate-500">An operator runs discovery.</p>;
  return (
    <div className="space-y-2">
      <Button variant="primary" onClick={() => discover.mutate()} disabled={discover.isPending}>
        {discover.isPending ? 'Discovering...' : 'Run discovery'}
      </Button>
      <InlineError error={discover.error} />
      {discover.data ? (
        <p role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
          Found {discover.data.vms.length} VM(s) on {discover.data.vcenter_host}.{' '}
          <Link to="/discovery" className="underline">
            Open Discovery
          </Link>{' '}
          to add them to management.
        </p>
      ) : null}
    </div>
  );
}

function StepBody({ id }: { id: StepId }) {
  switch (id) {
    case 'vcenter':
      return <CredentialsTab />;
    case 'cloudstack':
      return <CloudStackTab />;
    case 'agent_paired':
      return <PairingTokenPanel />;
    case 'agent_online':
      return (
        <div className="space-y-2">
          <p className="text-xs text-slate-600 dark:text-slate-400">
            Start the paired agent (sudo systemctl start migratekit-agent, or migratekit agent --vddk-libdir DIR). This
            list refreshes every second until it shows the agent online.
          </p>
          <AgentList />
        </div>
      );
    case 'discovery':
      return <FirstDiscovery />;
  }
}

function Marker({ step }: { step: SetupStep }) {
  const [text, tone] = step.done
    ? ['Done', 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300']
    : step.code
      ? ['Problem', 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300']
      : ['To do', 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300'];
  return (
    <span className={`w-16 shrink-0 rounded px-1.5 py-0.5 text-center text-[11px] font-medium ${tone}`}>{text}</span>
  );
}

function StepSection({
  index,
  step,
  open,
  onToggle,
  children,
}: {
  index: number;
  step: SetupStep;
  open: boolean;
  onToggle: () => void;
  children: ReactNode;
}) {
  const bodyId = `setup-step-${step.id}`;
  return (
    <li
      aria-label={TITLES[step.id]}
      className="rounded-md border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
    >
      <button
        type="button"
        onClick={onToggle}
        aria-expanded={open}
        aria-controls={bodyId}
        className="flex w-full items-start gap-3 px-3 py-2 text-left"
      >
        <Marker step={step} />
        <span className="min-w-0 flex-1">
          <span className="block text-[13px] font-semibold">
            {index + 1}. {TITLES[step.id]}
          </span>
          <span
            data-testid={`setup-message-${step.id}`}
            className={`block text-xs ${step.done ? 'text-slate-600 dark:text-slate-400' : step.code ? 'text-red-700 dark:text-red-400' : 'text-slate-600 dark:text-slate-400'}`}
          >
            {step.message}
            {step.code ? ` (${step.code})` : ''}
          </span>
        </span>
      </button>
      {open ? (
        <div id={bodyId} className="border-t border-slate-200 p-3 dark:border-slate-800">
          {children}
        </div>
      ) : null}
    </li>
  );
}

/**
 * An agent pairs and connects from its own machine, not through this page: while an agent step is open, the
 * agent list is polled every second and the checklist re-checked when an agent appears or comes online.
 */
function useAgentWatch(watching: boolean): void {
  const qc = useQueryClient();
  const agents = useAgents({ pollMs: 1_000, enabled: watching });
  const paired = agents.data?.length ?? 0;
  const online = agents.data?.filter((a) => a.status === 'online').length ?? 0;
  useEffect(() => {
    if (watching) void qc.invalidateQueries({ queryKey: ['setup-status'] });
  }, [watching, paired, online, qc]);
}

/**
 * Most changes made on this page (a credential tested, CloudStack saved, a token issued, a discovery run) move a
 * step: while the page is open, every successful change re-checks the checklist. Only here: elsewhere a change
 * may be a sign-out, after which the check would be refused.
 */
function useRecheckAfterChanges(): void {
  const qc = useQueryClient();
  useEffect(
    () =>
      qc.getMutationCache().subscribe((event) => {
        if (event.type === 'updated' && event.action.type === 'success')
          void qc.invalidateQueries({ queryKey: ['setup-status'] });
      }),
    [qc],
  );
}

export function SetupPage() {
  const status = useSetupStatus();
  useRecheckAfterChanges();
  // null: follow the first step not done; a step id: the operator opened that one.
  const [chosen, setChosen] = useState<StepId | 'none' | null>(null);
  const open = status.data ? (chosen ?? status.data.steps.find((s) => !s.done)?.id ?? null) : null;
  useAgentWatch(open === 'agent_paired' || open === 'agent_online');
  if (status.isPending) return <Loading what="the setup checklist" />;
  if (status.isError)
    return <ErrorState error={status.error} what="the setup checklist" onRetry={() => void status.refetch()} />;
  const { steps, complete } = status.data;
  const done = steps.filter((s) => s.done).length;
  return (
    <>
      <PageHeader
        title="Setup"
        subtitle={`First-run checklist: ${done} of ${steps.length} steps done. Each step checks itself.`}
        actions={
          <Button onClick={() => void status.refetch()} disabled={status.isFetching}>
            {status.isFetching ? 'Checking...' : 'Check again'}
          </Button>
        }
      />
      <div className="min-h-0 flex-1 overflow-auto p-3">
        {complete ? (
          <p
            role="status"
            className="mb-3 max-w-5xl rounded border border-emerald-200 bg-emerald-50 p-2 text-[13px] text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950/40 dark:text-emerald-300"
          >
            Setup is complete. Add VMs to management from{' '}
            <Link to="/discovery" className="underline">
              Discovery
            </Link>
            .
          </p>
        ) : null}
        <ol className="max-w-5xl space-y-2">
          {steps.map((step, index) => (
            <StepSection
              key={step.id}
              index={index}
              step={step}
              open={open === step.id}
              onToggle={() => setChosen(open === step.id ? 'none' : step.id)}
            >
              <StepBody id={step.id} />
            </StepSection>
          ))}
        </ol>
      </div>
    </>
  );
}
