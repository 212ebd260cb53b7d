// LOAD_API_ADD=N: only the first N VMs (at least the ones to replicate) are added through the API; the rest become
// contexts written straight into the database through the repositories, with the fields an add through the API
// writes from the agent's answer (taken here from the discovery answer). Adding asks the agent about each VM in
// turn, which on a loaded 2-core machine takes longer than the rest of the run; the list latency only needs the
// rows. The report says how many contexts came which way.
import { newContextId, systemClock } from '@migratekit/core';
import { createRepositories, type DatabaseHandle } from '@migratekit/db';
import type { DiscoveredVm } from './load-drive';

export interface SeedTarget {
  credentialId: string;
  vcenterHost: string;
}

export async function seedContexts(
  handle: DatabaseHandle,
  target: SeedTarget,
  vms: readonly DiscoveredVm[],
): Promise<Map<string, string>> {
  const repositories = createRepositories(handle.db, systemClock);
  const cloudstack = await repositories.cloudstackConfigs.getActive();
  const contexts = new Map<string, string>();
  for (const vm of vms) {
    const context = await repositories.contexts.create({
      context_id: newContextId(vm.name, systemClock.now()),
      vm_name: vm.name,
      vmware_vm_id: vm.id,
      vm_path: vm.path,
      vcenter_host: target.vcenterHost,
      datacenter: vm.datacenter,
      credential_id: target.credentialId,
      cloudstack_config_id: cloudstack?.id ?? null,
      cpu_count: vm.cpus,
      memory_mb: vm.memory_mb,
      os_type: vm.os_type,
      firmware: vm.firmware,
      power_state: vm.power_state,
      vm_tools_status: vm.tools_status,
    });
    contexts.set(vm.name, context.context_id);
  }
  return contexts;
}
