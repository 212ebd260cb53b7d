// Network Mapping: every managed VM with its real VMware networks, "X of Y configured", filters, and the dual
// mapping modal (Configure / Edit) and the bulk-rule dialog.
import { useMemo, useState } from 'react';
import { useCanAct } from '../../auth/session';
import { FilterBar } from '../../components/filter-bar';
import { StatusBadge } from '../../components/status-badge';
import { Button, EmptyState, ErrorState, Loading, PageHeader } from '../../components/ui';
import { BulkRuleDialog } from './bulk-rule-dialog';
import { NetworkMappingModal } from './network-mapping-modal';
import { useNetworkStatus } from './network-mapping.api';

const STATUS_OPTIONS = [
  { value: 'configured', label: 'Configured' },
  { value: 'needs_setup', label: 'Needs setup' },
  { value: 'error', label: 'Error' },
];

export function NetworkMappingPage() {
  const status = useNetworkStatus();
  const canAct = useCanAct();
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const [bulk, setBulk] = useState(false);
  const all = status.data ?? [];
  const visible = useMemo(() => {
    const q = search.toLowerCase();
    return all.filter(
      (s) =>
        (filter === '' || s.status === filter) &&
        (q === '' ||
          s.vm_name.toLowerCase().includes(q) ||
          s.networks.some((n) => n.source_network_name.toLowerCase().includes(q))),
    );
  }, [all, search, filter]);
  const sourceNetworks = useMemo(
    () => [...new Set(all.flatMap((s) => s.networks.map((n) => n.source_network_name)))].sort(),
    [all],
  );
  const configured = all.filter((s) => s.status === 'configured').length;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <PageHeader
        title="Network Mapping"
        subtitle={`${configured} of ${all.length} VMs fully mapped (production and test for every VMware network)`}
        actions={
          canAct ? (
            <Button onClick={() => setBulk(true)} disabled={sourceNetworks.length === 0}>
              Bulk rule
            </Button>
          ) : null
        }
      />
      <FilterBar
        search={search}
        onSearch={setSearch}
        searchPlaceholder="VM or VMware network"
        status={filter}
        onStatus={setFilter}
        statusOptions={STATUS_OPTIONS}
        statusClassName="w-40"
      />
      <div className="min-h-0 flex-1 overflow-auto">
        {status.isPending ? (
          <Loading what="network mappings" />
        ) : status.isError ? (
          <ErrorState error={status.error} what="network mappings" onRetry={() => void status.refetch()} />
        ) : visible.length === 0 ? (
          <EmptyState title={all.length === 0 ? 'No managed VM yet' : 'No VM matches the filters'}>
            {all.length === 0 ? 'Add VMs to management on the Discovery page; their NICs appear here.' : null}
          </EmptyState>
        ) : (
          <table className="w-full text-[13px]" aria-label="Network mapping status">
            <thead className="sticky top-0 bg-slate-50 text-left text-xs text-slate-500 dark:bg-slate-950">
              <tr>
                <th className="px-3 py-1.5 font-medium">VM</th>
                <th className="px-3 py-1.5 font-medium">Status</th>
                <th className="px-3 py-1.5 font-medium">Configured</th>
                <th className="px-3 py-1.5 font-medium">VMware networks</th>
                <th className="px-3 py-1.5 font-medium">Missing</th>
                <th className="px-3 py-1.5" />
              </tr>
            </thead>
            <tbody>
              {visible.map((s) => (
                <tr key={s.context_id} className="border-t border-slate-200 dark:border-slate-800">
                  <td className="px-3 py-1.5 font-medium">{s.vm_name}</td>
                  <td className="px-3 py-1.5">
                    <StatusBadge status={s.status} />
                  </td>
                  <td className="px-3 py-1.5 tabular-nums">{s.summary}</td>
                  <td className="px-3 py-1.5">{s.networks.map((n) => n.source_network_name).join(', ') || '-'}</td>
                  <td className="px-3 py-1.5 text-xs text-slate-600 dark:text-slate-400">
                    {[
                      ...s.missing.map((m) => `${m.source_network_name}: ${m.kind}`),
                      ...s.invalid.map((m) => `${m.source_network_name}: ${m.kind} invalid`),
                    ].join('; ') || '-'}
                  </td>
                  <td className="px-3 py-1.5 text-right">
                    {canAct ? (
                      <Button
                        onClick={() => setEditing(s.context_id)}
                        aria-label={`Configure networks of ${s.vm_name}`}
                      >
                        {s.configured === 0 ? 'Configure' : 'Edit'}
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {editing !== null ? <NetworkMappingModal contextId={editing} onClose={() => setEditing(null)} /> : null}
      {bulk ? <BulkRuleDialog sourceNetworks={sourceNetworks} onClose={() => setBulk(false)} /> : null}
    </div>
  );
}
