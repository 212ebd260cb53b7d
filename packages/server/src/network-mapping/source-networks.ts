// The source side of network mapping: a VM's NICs as discovery recorded them (vm_disks.nics), and the distinct
// real vSphere network names they attach to, in NIC order. Nothing here invents a name.
import type { ContextNics, VmNic } from '@migratekit/db';

export interface SourceNetwork {
  name: string;
  /** Labels of the NICs on this network ("Network adapter 1", ...), in NIC order. */
  nic_labels: string[];
}

/** NIC label, or a positional one for NICs that were recorded without a label. */
export function nicLabel(nic: VmNic, index: number): string {
  return nic.label ?? `Network adapter ${index + 1}`;
}

export function sourceNetworksOf(nics: readonly VmNic[]): SourceNetwork[] {
  const byName = new Map<string, SourceNetwork>();
  nics.forEach((nic, index) => {
    const entry = byName.get(nic.network_name) ?? { name: nic.network_name, nic_labels: [] };
    entry.nic_labels.push(nicLabel(nic, index));
    byName.set(nic.network_name, entry);
  });
  return [...byName.values()];
}

export function emptyNics(contextId: string, vmName: string, status: string): ContextNics {
  return { vm_context_id: contextId, vm_name: vmName, current_status: status, nics: [] };
}
