// Per-VM dual network mappings (docs/network-mapping.md): create, replace and delete exactly one mapping, list them,
// per-VM status, and validation of the destinations against CloudStack. Source networks come only from the NICs
// discovery recorded; a mapping for a network the VM does not have is refused.
import { MigrateKitError } from '@migratekit/core';
import type { ContextNics, NetworkMappingInput, NetworkMappingRecord } from '@migratekit/db';
import type { AuditContext } from '../services/audit.service';
import { contextByVmReference } from './context-lookup';
import {
  kindOf,
  toMappingView,
  vmNetworkStatus,
  type MappingView,
  type VmMappingStatus,
  type VmNetworkStatusView,
} from './mapping-views';
import { NetworkCatalog, unusableReason, type NetworkKind, type NetworkSnapshot } from './network-catalog';
import { recordDecision, type NetworkMappingDeps } from './network-mapping-deps';
import { emptyNics, sourceNetworksOf } from './source-networks';

export interface MappingWrite {
  source_network_name: string;
  kind: NetworkKind;
  destination_network_id: string;
}

/** Where each write's values came from in the request, so a 400 names the caller's own field. */
export type FieldOf = (index: number, value: 'source' | 'destination') => string;

/** Body `{mappings: [...]}` (or one mapping at the top level of the body). */
export function bodyFields(count: number): FieldOf {
  return (i, value) => {
    const name = value === 'source' ? 'source_network_name' : 'destination_network_id';
    return count === 1 ? `body.${name}` : `body.mappings[${i}].${name}`;
  };
}

export interface StatusFilter {
  status?: VmMappingStatus;
  search?: string;
}

/** 400 naming the field when the destination cannot take this kind of mapping. */
export function assertDestinationUsable(
  snapshot: NetworkSnapshot,
  destinationId: string,
  kind: NetworkKind,
  field: string,
): string {
  const network = snapshot.byId.get(destinationId);
  const reason =
    unusableReason(network, destinationId) ??
    (network !== undefined && !network.suitable_for.includes(kind)
      ? `network ${network.name} (${network.type}) is not suitable for ${kind} mappings`
      : null);
  if (reason !== null || network === undefined)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: reason ?? `network ${destinationId} does not exist`,
      field,
      details: { destination_network_id: destinationId, kind },
    });
  return network.name;
}

export class NetworkMappingService {
  readonly catalog: NetworkCatalog;

  constructor(private readonly deps: NetworkMappingDeps) {
    this.catalog = new NetworkCatalog(deps.cloudStack);
  }

  /** The VM behind a context id, VMware instance UUID or name (legacy paths), with its recorded NICs. */
  async vm(reference: string): Promise<ContextNics> {
    const context = await contextByVmReference(this.deps.repositories, reference);
    const [nics] = await this.deps.repositories.vmDisks.latestNicsByContext([context.context_id]);
    return nics ?? emptyNics(context.context_id, context.vm_name, context.current_status);
  }

  async list(filter: { contextId?: string; kind?: NetworkKind } = {}): Promise<MappingView[]> {
    const grouped = await this.deps.repositories.networkMappings.listByContexts(
      filter.contextId === undefined ? undefined : [filter.contextId],
    );
    return [...grouped.values()]
      .flat()
      .filter((row) => filter.kind === undefined || kindOf(row.is_test_network) === filter.kind)
      .map(toMappingView);
  }

  async listForVm(reference: string): Promise<MappingView[]> {
    const vm = await this.vm(reference);
    return this.list({ contextId: vm.vm_context_id });
  }

  async status(reference: string): Promise<VmNetworkStatusView> {
    const vm = await this.vm(reference);
    return vmNetworkStatus(vm, await this.deps.repositories.networkMappings.listByContext(vm.vm_context_id));
  }

  /** The status table: every managed VM with recorded NICs, by name. */
  async statusAll(filter: StatusFilter = {}): Promise<VmNetworkStatusView[]> {
    const vms = await this.deps.repositories.vmDisks.latestNicsByContext();
    const mappings = await this.deps.repositories.networkMappings.listByContexts();
    const search = filter.search?.toLowerCase();
    return vms
      .map((vm) => vmNetworkStatus(vm, mappings.get(vm.vm_context_id) ?? []))
      .filter((s) => filter.status === undefined || s.status === filter.status)
      .filter(
        (s) =>
          search === undefined ||
          s.vm_name.toLowerCase().includes(search) ||
          s.networks.some((n) => n.source_network_name.toLowerCase().includes(search)),
      );
  }

  /**
   * Creates or replaces mappings of one VM in one transaction (all or none). Each source network must be one of
   * the VM's NICs and each destination usable for its kind in CloudStack right now.
   */
  async set(
    reference: string,
    writes: readonly MappingWrite[],
    ctx: AuditContext,
    fieldOf: FieldOf = bodyFields(writes.length),
  ): Promise<MappingView[]> {
    const vm = await this.vm(reference);
    const names = new Set(sourceNetworksOf(vm.nics).map((s) => s.name));
    writes.forEach((w, i) => {
      if (!names.has(w.source_network_name))
        throw new MigrateKitError('MKE_VALIDATION', {
          message: `VM ${vm.vm_name} has no NIC on network "${w.source_network_name}"; its networks are: ${[...names].join(', ') || 'none recorded'}`,
          field: fieldOf(i, 'source'),
          details: { source_networks: [...names] },
        });
    });
    const snapshot = await this.catalog.snapshot();
    const rows: NetworkMappingInput[] = writes.map((w, i) => ({
      vm_context_id: vm.vm_context_id,
      source_network_name: w.source_network_name,
      is_test_network: w.kind === 'test',
      destination_network_id: w.destination_network_id,
      destination_network_name: assertDestinationUsable(
        snapshot,
        w.destination_network_id,
        w.kind,
        fieldOf(i, 'destination'),
      ),
      validation_status: 'valid',
    }));
    await this.deps.repositories.transaction((repos) => repos.networkMappings.upsertMany(rows));
    await recordDecision(this.deps, ctx, 'network_mapping.set', vm.vm_context_id, {
      mappings: writes.map((w) => ({ ...w })),
    });
    const stored = await this.deps.repositories.networkMappings.listByContext(vm.vm_context_id);
    return writes
      .map((w) =>
        stored.find((r) => r.source_network_name === w.source_network_name && kindOf(r.is_test_network) === w.kind),
      )
      .filter((r): r is NetworkMappingRecord => r !== undefined)
      .map(toMappingView);
  }

  /** Deletes exactly one mapping (the other kind of the same source network stays). */
  async delete(reference: string, sourceNetworkName: string, kind: NetworkKind, ctx: AuditContext): Promise<void> {
    const vm = await this.vm(reference);
    const deleted = await this.deps.repositories.networkMappings.delete({
      contextId: vm.vm_context_id,
      sourceNetworkName,
      isTestNetwork: kind === 'test',
    });
    if (!deleted)
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `VM ${vm.vm_name} has no ${kind} mapping for network "${sourceNetworkName}"`,
        field: 'params.source_network_name',
      });
    await recordDecision(this.deps, ctx, 'network_mapping.delete', vm.vm_context_id, {
      source_network_name: sourceNetworkName,
      kind,
    });
  }

  /**
   * Checks every mapping of the VM against CloudStack now (exists, configured zone, usable for deployment) and
   * stores the outcome with its reason. Failover calls this before every run.
   */
  async validate(reference: string, snapshot?: NetworkSnapshot): Promise<MappingView[]> {
    const vm = await this.vm(reference);
    const current = snapshot ?? (await this.catalog.snapshot());
    const repo = this.deps.repositories.networkMappings;
    for (const row of await repo.listByContext(vm.vm_context_id)) {
      const reason = unusableReason(current.byId.get(row.destination_network_id), row.destination_network_id);
      await repo.setValidation(row.id, { status: reason === null ? 'valid' : 'invalid', reason });
    }
    return (await repo.listByContext(vm.vm_context_id)).map(toMappingView);
  }
}
