import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import type { VmContext } from '../../api/models';
import { StatusBadge } from '../../components/status-badge';
import { formatAge, formatBytes, formatDateTime } from '../../lib/format';
import { RpoBadge } from '../schedules/rpo-badge';
import type { SortKey, SortState } from './vm-sort';
import type { ReadinessSummary } from '../failover/readiness-summary';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'vm_name', label: 'Name' },
  { key: 'current_status', label: 'Status' },
  { key: 'last_sync', label: 'Last sync' },
  { key: 'rpo', label: 'RPO' },
  { key: 'disk_capacity_bytes', label: 'Size' },
];
// No "Agent" column: the API does not say which agent serves a VM.

// Six columns: name, status, last sync, RPO, size, failover readiness.
const GRID = 'grid grid-cols-[minmax(180px,2fr)_140px_minmax(120px,1fr)_150px_90px_minmax(150px,1fr)] items-center';
const ROW_HEIGHT = 30;

/** Virtualized: only the visible rows are in the DOM, so 10,000 VMs scroll as smoothly as 10. */
export function VmTable({
  vms,
  sort,
  onSort,
  selected,
  onSelect,
  readinessOf,
}: {
  vms: VmContext[];
  /** The one-line failover readiness of a row (the panel has the full list with what to do). */
  readinessOf: (vm: VmContext) => ReadinessSummary;
  sort: SortState;
  onSort: (key: SortKey) => void;
  selected: string | undefined;
  onSelect: (contextId: string) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: vms.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const now = useMemo(() => Date.now(), [vms]);
  return (
    <div
      role="table"
      aria-label="Virtual machines"
      aria-rowcount={vms.length + 1}
      className="flex min-h-0 flex-1 flex-col"
    >
      <div
        role="rowgroup"
        className="border-b border-slate-200 bg-slate-100 text-xs font-medium text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400"
      >
        <div role="row" className={`${GRID} h-8 px-3`}>
          {COLUMNS.map((c) => (
            <div
              role="columnheader"
              key={c.key}
              aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button
                type="button"
                className="hover:text-slate-900 dark:hover:text-white"
                onClick={() => onSort(c.key)}
              >
                {c.label}
                {sort.key === c.key ? (sort.dir === 'asc' ? ' \u25B4' : ' \u25BE') : ''}
              </button>
            </div>
          ))}
          <div role="columnheader">Failover</div>
        </div>
      </div>
      <div ref={scrollRef} role="rowgroup" className="min-h-0 flex-1 overflow-auto" data-testid="vm-table-body">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const vm = vms[item.index];
            if (!vm) return null;
            const isSelected = vm.context_id === selected;
            // The last SUCCESSFUL sync: a failed job since then does not make the copy any fresher.
            const sync = vm.last_successful_sync_at;
            const readiness = readinessOf(vm);
            return (
              <div
                key={vm.context_id}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={isSelected}
                tabIndex={0}
                onClick={() => onSelect(vm.context_id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    onSelect(vm.context_id);
                  }
                }}
                className={`${GRID} absolute left-0 w-full cursor-pointer border-b border-slate-100 px-3 text-[13px] dark:border-slate-800/60 ${isSelected ? 'bg-sky-50 dark:bg-sky-950/40' : 'hover:bg-slate-50 dark:hover:bg-slate-900'}`}
                style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              >
                <div role="cell" className="truncate font-medium" title={vm.vm_path ?? vm.vm_name}>
                  {vm.vm_name}
                </div>
                <div role="cell">
                  <StatusBadge status={vm.current_status} />
                </div>
                <div role="cell" className="truncate text-xs" title={formatDateTime(sync)}>
                  {sync ? <>{formatAge(sync, now)}</> : <span className="text-slate-400">never</span>}
                </div>
                <div role="cell">
                  <RpoBadge rpo={vm.rpo} />
                </div>
                <div role="cell" className="text-xs tabular-nums">
                  {formatBytes(vm.disk_capacity_bytes)}
                </div>
                <div role="cell" className="truncate text-xs" title="Failover readiness: open the VM for what to do">
                  <span aria-hidden="true">{readiness.ready ? '\u2713 ' : '\u2717 '}</span>
                  {readiness.text}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
