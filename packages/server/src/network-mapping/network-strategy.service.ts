// Per-VM failover network settings (docs/network-mapping.md): the strategy (production, isolated, custom or by
// failover type), strict mapping, the custom override map and per-NIC MAC/IP policies.
import { MigrateKitError } from '@migratekit/core';
import type { CustomOverride, NetworkStrategyName, NetworkStrategyRecord, NicPolicy } from '@migratekit/db';
import type { AuditContext } from '../services/audit.service';
import { contextByVmReference } from './context-lookup';
import { recordDecision, type NetworkMappingDeps } from './network-mapping-deps';

export interface NetworkStrategyView {
  context_id: string;
  /** null: by failover type (live uses production mappings, test uses the test mappings). */
  strategy: NetworkStrategyName | null;
  strict_mapping: boolean;
  custom_overrides: Record<string, CustomOverride>;
  nic_policies: Record<string, NicPolicy>;
  updated_at: string | null;
}

export interface NetworkStrategyInput {
  strategy?: NetworkStrategyName | null;
  strict_mapping?: boolean;
  custom_overrides?: Record<string, CustomOverride>;
  nic_policies?: Record<string, NicPolicy>;
}

export function assertNicPolicies(policies: Record<string, NicPolicy>, field: string): void {
  for (const [nic, policy] of Object.entries(policies))
    if (policy.ip_policy === 'static' && (policy.ip_address ?? '') === '')
      throw new MigrateKitError('MKE_VALIDATION', {
        message: `NIC ${nic} has ip_policy static but no ip_address`,
        field: `${field}.${nic}.ip_address`,
      });
}

const defaults = (contextId: string): NetworkStrategyView => ({
  context_id: contextId,
  strategy: null,
  strict_mapping: false,
  custom_overrides: {},
  nic_policies: {},
  updated_at: null,
});

const toView = (row: NetworkStrategyRecord): NetworkStrategyView => ({
  context_id: row.vm_context_id,
  strategy: row.strategy,
  strict_mapping: row.strict_mapping,
  custom_overrides: row.custom_overrides,
  nic_policies: row.nic_policies,
  updated_at: row.updated_at.toISOString(),
});

export class NetworkStrategyService {
  constructor(private readonly deps: NetworkMappingDeps) {}

  async get(reference: string): Promise<NetworkStrategyView> {
    const context = await contextByVmReference(this.deps.repositories, reference);
    const row = await this.deps.repositories.networkStrategies.get(context.context_id);
    return row === undefined ? defaults(context.context_id) : toView(row);
  }

  /** Changes the given fields and keeps the others. */
  async set(reference: string, input: NetworkStrategyInput, ctx: AuditContext): Promise<NetworkStrategyView> {
    const current = await this.get(reference);
    const next = {
      vm_context_id: current.context_id,
      strategy: input.strategy === undefined ? current.strategy : input.strategy,
      strict_mapping: input.strict_mapping ?? current.strict_mapping,
      custom_overrides: input.custom_overrides ?? current.custom_overrides,
      nic_policies: input.nic_policies ?? current.nic_policies,
    };
    assertNicPolicies(next.nic_policies, 'body.nic_policies');
    if (next.strategy === 'custom' && Object.keys(next.custom_overrides).length === 0)
      throw new MigrateKitError('MKE_VALIDATION', {
        message: 'The custom strategy needs at least one entry in custom_overrides',
        field: 'body.custom_overrides',
      });
    const row = await this.deps.repositories.networkStrategies.upsert(next);
    await recordDecision(this.deps, ctx, 'network_strategy.set', current.context_id, {
      strategy: next.strategy,
      strict_mapping: next.strict_mapping,
      custom_overrides: Object.keys(next.custom_overrides),
    });
    return toView(row);
  }
}
