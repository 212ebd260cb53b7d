// The VM table's one-line failover readiness, from data the list already has (status, last sync, running job)
// and the mapping status of every VM (one call for the whole table). The panel's readiness, from the pre-flight
// checks, is the authoritative answer; this tells the operator where to look, with a word and a symbol.
import type { VmContext } from '../../api/models';
import type { VmNetworkStatus } from '../network-mapping/network-mapping.api';

export interface ReadinessSummary {
  ready: boolean;
  text: string;
}

export function readinessSummary(vm: VmContext, mapping: VmNetworkStatus | undefined): ReadinessSummary {
  switch (vm.current_status) {
    case 'failed_over_test':
      return { ready: false, text: 'in test failover' };
    case 'failed_over_live':
      return { ready: false, text: 'failed over' };
    case 'cleanup_required':
      return { ready: false, text: 'cleanup required' };
    case 'completed':
      return { ready: false, text: 'migrated' };
    default:
  }
  const failover = vm.active_failover;
  if (failover != null) return { ready: false, text: `${failover.failover_type} failover ${failover.status}` };
  if (vm.current_job_id !== null || vm.current_status === 'replicating') return { ready: false, text: 'job running' };
  if (vm.last_successful_sync_at === null) return { ready: false, text: 'needs a first sync' };
  if (mapping !== undefined && mapping.status !== 'configured')
    return { ready: false, text: `mappings ${mapping.configured} of ${mapping.required}` };
  if (vm.current_status !== 'ready_for_failover') return { ready: false, text: vm.current_status.replace(/_/g, ' ') };
  return { ready: true, text: 'ready' };
}
