// Discovery through the agent: lists the vCenter's VMs (identity = instance UUID) and marks each with the context
// that already manages it and with a name-collision concern when its display name is shared (names are for
// display only, but two VMs under one name confuse operators: docs/model.md). One database query for all VMs.
import type { DiscoveredVmWire, VcenterParams } from '@migratekit/agent/protocol';
import type { ContextRecord, Repositories } from '@migratekit/db';
import type { AgentRouter } from '../agents/agent-router';
import { vcenterParams } from '../replication/vcenter-params';
import type { VmwareCredentialService } from '../services/vmware-credential.service';

export interface DiscoveryDeps {
  repositories: Pick<Repositories, 'contexts'>;
  /** The agent serving the vCenter, here or on another server (docs/scale-out.md#agents-and-scope). */
  agents: Pick<AgentRouter, 'request'>;
  credentials: Pick<VmwareCredentialService, 'resolveForUse'>;
}

export interface DiscoverInput {
  /** A stored credential (the normal form); without it and without `inline`, the default credential. */
  credentialId?: string | undefined;
  /** Plain credentials, accepted for compatibility and never stored. */
  inline?: { host: string; username: string; password: string; thumbprint: string | null } | undefined;
  datacenter?: string | undefined;
  filter?: string | undefined;
}

export interface DiscoveredVmView extends DiscoveredVmWire {
  managed: boolean;
  existing_context_id: string | null;
}

export interface DiscoveryResult {
  vcenter_host: string;
  datacenter: string | null;
  vms: DiscoveredVmView[];
}

const DISCOVERY_TIMEOUT_MS = 300_000;

export class DiscoveryService {
  constructor(private readonly deps: DiscoveryDeps) {}

  async discover(input: DiscoverInput): Promise<DiscoveryResult> {
    const vcenter: VcenterParams =
      input.inline ?? vcenterParams(await this.deps.credentials.resolveForUse(input.credentialId));
    const result = await this.deps.agents.request(
      vcenter.host,
      'discover',
      { vcenter, datacenter: input.datacenter ?? null, filter: input.filter ?? null },
      { timeoutMs: DISCOVERY_TIMEOUT_MS },
    );
    const known = await this.deps.repositories.contexts.listActiveByVmwareIdsOrNames(
      result.vms.map((vm) => vm.id),
      [...new Set(result.vms.map((vm) => vm.name))],
    );
    return {
      vcenter_host: result.vcenter_host,
      datacenter: input.datacenter ?? vcenter.datacenter ?? null,
      vms: markManaged(result.vms, known),
    };
  }
}

function markManaged(vms: readonly DiscoveredVmWire[], known: readonly ContextRecord[]): DiscoveredVmView[] {
  const byVmwareId = new Map(known.map((c) => [c.vmware_vm_id, c]));
  const sameName = new Map<string, number>();
  for (const vm of vms) sameName.set(vm.name, (sameName.get(vm.name) ?? 0) + 1);
  return vms.map((vm) => {
    const managed = byVmwareId.get(vm.id);
    const namesake = known.find((c) => c.vm_name === vm.name && c.vmware_vm_id !== vm.id);
    const concerns = [...vm.concerns];
    if ((sameName.get(vm.name) ?? 0) > 1 || namesake !== undefined)
      concerns.push({
        code: 'name_collision',
        severity: 'warning',
        message:
          namesake === undefined
            ? `Another VM in this vCenter is also named ${vm.name}`
            : `A different managed VM is already named ${vm.name} (${namesake.context_id})`,
      });
    return { ...vm, concerns, managed: managed !== undefined, existing_context_id: managed?.context_id ?? null };
  });
}
