import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../api/client';
import type { BulkAddResult, DiscoveredVm } from '../api/models';
import { useCredentials } from '../api/queries';
import { useCanAct } from '../auth/session';
import { StatusBadge } from '../components/status-badge';
import {
  Button,
  EmptyState,
  ErrorState,
  InlineError,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from '../components/ui';
import { formatBytes } from '../lib/format';

interface Concern {
  message: string;
  blocker: boolean;
}

/** Concerns an operator must see before adding a VM (CBT off, snapshots, RDMs, name collisions...). */
function concernsOf(vm: DiscoveredVm): Concern[] {
  return vm.concerns.map((c) => ({ message: c.message, blocker: c.severity === 'blocker' }));
}

function outcomeOf(r: BulkAddResult): Outcome {
  if (r.ok) return { kind: 'added', contextId: r.context_id, jobId: r.job_id ?? undefined };
  const message = r.error?.message ?? 'refused';
  if (r.existing_context_id || r.error?.code === 'MKE_VM_ALREADY_MANAGED' || r.error?.code === 'MKE_JOB_ACTIVE')
    return { kind: 'duplicate', message, existing: r.existing_context_id ?? undefined };
  return { kind: 'error', message: r.error?.code ? `${message} (${r.error.code})` : message };
}

type Outcome =
  | { kind: 'added'; contextId?: string; jobId?: string }
  | { kind: 'duplicate'; message: string; existing?: string }
  | { kind: 'error'; message: string };

export function DiscoveryPage() {
  const canAct = useCanAct();
  const qc = useQueryClient();
  const credentials = useCredentials();
  const [credentialId, setCredentialId] = useState('');
  const [datacenter, setDatacenter] = useState('');
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});

  useEffect(() => {
    const list = credentials.data ?? [];
    if (credentialId === '' && list.length > 0) {
      const def = list.find((c) => c.is_default) ?? list[0];
      if (def) {
        setCredentialId(def.id);
        setDatacenter(def.datacenter ?? '');
      }
    }
  }, [credentials.data, credentialId]);

  const discover = useMutation({
    mutationFn: async () => {
      const body = await api.ops.postDiscover({
        body: { credential_id: credentialId, datacenter: datacenter || undefined, filter: filter || undefined },
      });
      return body.vms;
    },
    onSuccess: () => {
      setSelected(new Set());
      setOutcomes({});
    },
  });

  const add = useMutation({
    mutationFn: async ({ vms, replicate }: { vms: DiscoveredVm[]; replicate: boolean }) => {
      // One bulk call; the API answers per VM, so a duplicate never hides the other VMs' success.
      const res = await api.ops.postReplications({
        body: { vm_ids: vms.map((v) => v.id), credential_id: credentialId, start_replication: replicate },
      });
      // `vm_ids` always gets the per-VM answer (200); the single-VM shape answers 201/202.
      if (!('results' in res)) throw new Error('the API answered a bulk add with a single-VM result');
      const next: Record<string, Outcome> = {};
      for (const r of res.results) next[r.vm_id] = outcomeOf(r);
      setOutcomes((o) => ({ ...o, ...next }));
      await qc.invalidateQueries({ queryKey: ['contexts'] });
    },
  });

  const vms = useMemo(() => discover.data ?? [], [discover.data]);
  const chosen = vms.filter((v) => selected.has(v.id));
  const allSelected = vms.length > 0 && selected.size === vms.length;
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (canAct) discover.mutate();
  };

  return (
    <>
      <PageHeader title="Discovery" subtitle="Find VMs in vCenter and bring them under management" />
      <form
        onSubmit={submit}
        aria-label="Discover VMs"
        className="flex flex-wrap items-end gap-2 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900"
      >
        <SelectField
          label="vCenter credential"
          className="w-64"
          value={credentialId}
          onChange={(e) => {
            setCredentialId(e.target.value);
            const c = credentials.data?.find((x) => x.id === e.target.value);
            setDatacenter(c?.datacenter ?? '');
          }}
          placeholder={credentials.isPending ? 'Loading...' : 'Choose a credential'}
          options={(credentials.data ?? []).map((c) => ({ value: c.id, label: `${c.name} (${c.vcenter_host})` }))}
        />
        <TextField
          label="Datacenter"
          className="w-48"
          value={datacenter}
          onChange={(e) => setDatacenter(e.target.value)}
          placeholder="e.g. DC1"
        />
        <TextField
          label="Name filter"
          className="w-56"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="substring or glob"
        />
        {canAct ? (
          <Button type="submit" variant="primary" disabled={!credentialId || discover.isPending}>
            {discover.isPending ? 'Discovering...' : 'Discover'}
          </Button>
        ) : (
          <p className="self-center text-xs text-slate-500">
            Discovery asks vCenter through the agent: operator role needed.
          </p>
        )}
        {canAct && vms.length > 0 ? (
          <div className="ml-auto flex gap-2">
            <Button
              disabled={chosen.length === 0 || add.isPending}
              onClick={() => add.mutate({ vms: chosen, replicate: false })}
            >
              Add to Management ({chosen.length})
            </Button>
            <Button
              variant="primary"
              disabled={chosen.length === 0 || add.isPending}
              onClick={() => add.mutate({ vms: chosen, replicate: true })}
            >
              Replicate ({chosen.length})
            </Button>
          </div>
        ) : null}
      </form>
      {credentials.isError ? <ErrorState error={credentials.error} what="vCenter credentials" /> : null}
      {credentials.data && credentials.data.length === 0 ? (
        <EmptyState title="No vCenter credential yet">
          Add one under{' '}
          <Link to="/settings" search={{ tab: 'credentials' }} className="text-sky-700 underline dark:text-sky-400">
            Settings
          </Link>{' '}
          first.
        </EmptyState>
      ) : null}
      <div className="min-h-0 flex-1 overflow-auto">
        {discover.isPending ? <Loading what="VMs from vCenter" /> : null}
        {discover.isError ? (
          <ErrorState error={discover.error} what="VMs from vCenter" onRetry={() => discover.mutate()} />
        ) : null}
        {discover.isSuccess && vms.length === 0 ? <EmptyState title="vCenter returned no VM for this filter" /> : null}
        {vms.length > 0 ? (
          <table className="data-table w-full text-[13px]">
            <thead className="sticky top-0 bg-slate-100 text-left text-xs text-slate-600 dark:bg-slate-900 dark:text-slate-400">
              <tr>
                <th className="w-8 px-3 py-1.5">
                  <input
                    type="checkbox"
                    aria-label="Select all VMs"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(vms.map((v) => v.id)))}
                  />
                </th>
                <th className="py-1.5 font-medium">Name</th>
                <th className="font-medium">Power</th>
                <th className="font-medium">CPU / memory</th>
                <th className="font-medium">Disks</th>
                <th className="font-medium">Networks</th>
                <th className="font-medium">Concerns</th>
                <th className="pr-3 font-medium">Result</th>
              </tr>
            </thead>
            <tbody>
              {vms.map((vm) => {
                const concerns = concernsOf(vm);
                const outcome = outcomes[vm.id];
                const size = vm.disks.reduce((s, d) => s + d.capacity_bytes, 0);
                return (
                  <tr key={vm.id} className="border-b border-slate-100 align-top dark:border-slate-800">
                    <td className="px-3 py-1.5">
                      <input
                        type="checkbox"
                        aria-label={`Select ${vm.name}`}
                        checked={selected.has(vm.id)}
                        onChange={() => toggle(vm.id)}
                      />
                    </td>
                    <td className="py-1.5">
                      <p className="font-medium">{vm.name}</p>
                      <p className="text-[11px] text-slate-500">{vm.path ?? vm.guest_id}</p>
                    </td>
                    <td className="py-1.5">
                      <StatusBadge status={vm.power_state} />
                    </td>
                    <td className="py-1.5 text-xs whitespace-nowrap">
                      {vm.cpus ?? '-'} vCPU / {vm.memory_mb ? formatBytes(vm.memory_mb * 1048576) : '-'}
                    </td>
                    <td className="py-1.5 text-xs whitespace-nowrap">
                      {vm.disks.length} ({formatBytes(size)})
                    </td>
                    <td className="py-1.5 text-xs">{vm.networks.map((n) => n.network_name).join(', ') || '-'}</td>
                    <td className="py-1.5 text-xs">
                      {concerns.length ? (
                        <ul>
                          {concerns.map((c) => (
                            <li
                              key={c.message}
                              className={
                                c.blocker ? 'text-red-700 dark:text-red-400' : 'text-amber-700 dark:text-amber-400'
                              }
                            >
                              {c.blocker ? 'Blocker: ' : ''}
                              {c.message}
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="text-slate-400">none</span>
                      )}
                    </td>
                    <td className="py-1.5 pr-3 text-xs">
                      {outcome ? (
                        <OutcomeView outcome={outcome} />
                      ) : vm.existing_context_id ? (
                        <Link
                          to="/vms"
                          search={{ ctx: vm.existing_context_id }}
                          className="text-slate-600 underline dark:text-slate-400"
                        >
                          managed as {vm.existing_context_id}
                        </Link>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
        <div className="p-3">
          <InlineError error={add.error} />
        </div>
      </div>
    </>
  );
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'added')
    return (
      <span className="text-emerald-700 dark:text-emerald-400">
        Added{' '}
        {outcome.contextId ? (
          <Link to="/vms" search={{ ctx: outcome.contextId }} className="underline">
            {outcome.contextId}
          </Link>
        ) : null}
        {outcome.jobId ? (
          <>
            {', '}
            <Link to="/jobs/$jobId" params={{ jobId: outcome.jobId }} className="underline">
              job
            </Link>
          </>
        ) : null}
      </span>
    );
  if (outcome.kind === 'duplicate')
    return (
      <span className="text-amber-800 dark:text-amber-300">
        Already managed: {outcome.message}.{' '}
        {outcome.existing ? (
          <Link to="/vms" search={{ ctx: outcome.existing }} className="underline">
            Open {outcome.existing}
          </Link>
        ) : null}
      </span>
    );
  return <span className="text-red-700 dark:text-red-400">{outcome.message}</span>;
}
