import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { CONTEXT_STATUSES } from '@migratekit/core/statuses';
import { api, fetchAllPages } from '../api/client';
import { FilterBar } from '../components/filter-bar';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/ui';
import { useNetworkStatus } from './network-mapping/network-mapping.api';
import { readinessSummary } from './failover/readiness-summary';
import type { VmContext } from '../api/models';
import { VmContextPanel } from './vms/vm-context-panel';
import { sortVms } from './vms/vm-sort';
import type { SortKey, SortState } from './vms/vm-sort';
import { VmTable } from './vms/vm-table';

export function useContexts() {
  return useQuery({
    queryKey: ['contexts'],
    queryFn: () => fetchAllPages((paging) => api.ops.getVmContexts({ query: paging })),
  });
}

export function VmsPage() {
  const { ctx } = useSearch({ from: '/vms' });
  const navigate = useNavigate({ from: '/vms' });
  const contexts = useContexts();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState('');
  const [sort, setSort] = useState<SortState>({ key: 'vm_name', dir: 'asc' });
  const deferredSearch = useDeferredValue(search);
  const mappings = useNetworkStatus();
  const mappingOf = useMemo(() => new Map((mappings.data ?? []).map((m) => [m.context_id, m])), [mappings.data]);
  const readinessOf = useCallback((vm: VmContext) => readinessSummary(vm, mappingOf.get(vm.context_id)), [mappingOf]);

  const visible = useMemo(() => {
    const q = deferredSearch.trim().toLowerCase();
    const filtered = (contexts.data ?? []).filter(
      (vm) =>
        (status === '' || vm.current_status === status) &&
        (q === '' ||
          vm.vm_name.toLowerCase().includes(q) ||
          vm.context_id.toLowerCase().includes(q) ||
          (vm.vm_path ?? '').toLowerCase().includes(q)),
    );
    return sortVms(filtered, sort);
  }, [contexts.data, deferredSearch, status, sort]);

  const onSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));
  const select = (id: string | undefined) => void navigate({ search: id ? { ctx: id } : {} });
  const total = contexts.data?.length ?? 0;

  return (
    <>
      <PageHeader
        title="Virtual Machines"
        subtitle={
          contexts.data ? `${visible.length} of ${total} managed VMs` : 'Every VM under management, one context each'
        }
      />
      <div className="flex min-h-0 flex-1">
        <div className="flex min-w-0 flex-1 flex-col">
          <FilterBar
            search={search}
            onSearch={setSearch}
            searchPlaceholder="Name, path or context id"
            status={status}
            onStatus={setStatus}
            statusOptions={CONTEXT_STATUSES.map((s) => ({ value: s, label: s.replace(/_/g, ' ') }))}
            statusClassName="w-48"
          />
          {contexts.isPending ? (
            <Loading what="virtual machines" />
          ) : contexts.isError ? (
            <ErrorState error={contexts.error} what="virtual machines" onRetry={() => void contexts.refetch()} />
          ) : total === 0 ? (
            <EmptyState title="No VMs under management yet">
              Find VMs in vCenter on the{' '}
              <Link to="/discovery" className="text-sky-700 underline dark:text-sky-400">
                Discovery
              </Link>{' '}
              page and add them to management.
            </EmptyState>
          ) : visible.length === 0 ? (
            <EmptyState title="No VM matches the filter">Clear the search or the status filter.</EmptyState>
          ) : (
            <VmTable
              vms={visible}
              sort={sort}
              onSort={onSort}
              selected={ctx}
              onSelect={select}
              readinessOf={readinessOf}
            />
          )}
        </div>
        {ctx ? <VmContextPanel contextId={ctx} onClose={() => select(undefined)} /> : null}
      </div>
    </>
  );
}
