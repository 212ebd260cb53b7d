import type { VmContext } from '../../api/types';

export type SortKey = 'vm_name' | 'current_status' | 'last_sync' | 'next_run_at' | 'total_bytes' | 'agent';

export interface SortState {
  key: SortKey;
  dir: 'asc' | 'desc';
}

export function lastSync(vm: VmContext): string | null | undefined {
  return vm.last_successful_sync_at ?? vm.last_job_at;
}

function sortValue(vm: VmContext, key: SortKey): string | number {
  switch (key) {
    case 'vm_name':
      return vm.vm_name.toLowerCase();
    case 'current_status':
      return vm.current_status;
    case 'last_sync':
      return lastSync(vm) ?? '';
    case 'next_run_at':
      return vm.next_run_at ?? '';
    case 'total_bytes':
      return vm.total_bytes ?? -1;
    case 'agent':
      return vm.agent_name ?? '';
  }
}

export function sortVms(vms: VmContext[], sort: SortState): VmContext[] {
  const factor = sort.dir === 'asc' ? 1 : -1;
  return [...vms].sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    return (x < y ? -1 : x > y ? 1 : 0) * factor;
  });
}
