import type { VmContext } from '../../api/models';

export type SortKey = 'vm_name' | 'current_status' | 'last_sync' | 'rpo' | 'disk_capacity_bytes';

export interface SortState {
  key: SortKey;
  dir: 'asc' | 'desc';
}

function sortValue(vm: VmContext, key: SortKey): string | number {
  switch (key) {
    case 'vm_name':
      return vm.vm_name.toLowerCase();
    case 'current_status':
      return vm.current_status;
    case 'last_sync':
      return vm.last_successful_sync_at ?? '';
    case 'rpo':
      // Breached first when descending: the age of the last good sync, unprotected VMs last.
      return vm.rpo?.state === 'unprotected' ? -1 : (vm.rpo?.age_seconds ?? Number.MAX_SAFE_INTEGER);
    case 'disk_capacity_bytes':
      return vm.disk_capacity_bytes ?? -1;
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
