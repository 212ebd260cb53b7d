// network_strategies: per VM, how a failover resolves its networks (docs/network-mapping.md). One row per context at
// most; no row means the defaults (strategy by failover type, not strict, no overrides, default NIC policies).
import type { Row } from '../schema';
import { fromJson, toJson, type RepositoryDeps } from './repository-deps';
import { upsertOnKey } from './upsert';

export type NetworkStrategyName = 'production' | 'isolated' | 'custom';
export type MacPolicy = 'keep_source' | 'cloudstack';
export type IpPolicy = 'dhcp' | 'static';

export interface CustomOverride {
  destination_network_id: string;
  destination_network_name?: string | null;
}

export interface NicPolicy {
  mac_policy?: MacPolicy;
  ip_policy?: IpPolicy;
  /** Required when ip_policy is static. */
  ip_address?: string | null;
}

export interface NetworkStrategyRecord {
  vm_context_id: string;
  strategy: NetworkStrategyName | null;
  strict_mapping: boolean;
  /** Destination per source network name, used by the custom strategy. */
  custom_overrides: Record<string, CustomOverride>;
  /** Per NIC (keyed by its MAC address, or label when it has none). */
  nic_policies: Record<string, NicPolicy>;
  created_at: Date;
  updated_at: Date;
}

export type NetworkStrategyInput = Pick<
  NetworkStrategyRecord,
  'vm_context_id' | 'strategy' | 'strict_mapping' | 'custom_overrides' | 'nic_policies'
>;

const toRecord = (row: Row<'network_strategies'>): NetworkStrategyRecord => ({
  ...row,
  strategy: row.strategy as NetworkStrategyName | null,
  custom_overrides: fromJson<Record<string, CustomOverride>>(row.custom_overrides) ?? {},
  nic_policies: fromJson<Record<string, NicPolicy>>(row.nic_policies) ?? {},
});

export class NetworkStrategyRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async get(contextId: string): Promise<NetworkStrategyRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('network_strategies')
      .selectAll()
      .where('vm_context_id', '=', contextId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async upsert(input: NetworkStrategyInput): Promise<NetworkStrategyRecord> {
    const now = this.deps.clock.now();
    const changes = {
      strategy: input.strategy,
      strict_mapping: input.strict_mapping,
      custom_overrides: toJson(input.custom_overrides),
      nic_policies: toJson(input.nic_policies),
      updated_at: now,
    };
    const insert = this.deps.db
      .insertInto('network_strategies')
      .values({ vm_context_id: input.vm_context_id, created_at: now, ...changes });
    await upsertOnKey(this.deps.engine, insert, 'vm_context_id', changes).execute();
    const row = await this.get(input.vm_context_id);
    if (row === undefined) throw new Error('network strategy vanished after upsert');
    return row;
  }
}
