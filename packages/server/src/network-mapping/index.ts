// Network mapping (docs/network-mapping.md): one factory builds every service of the area from its deps, so the
// composition root (or, until then, the route plugin) constructs them once.
import { BulkRuleService } from './bulk-rules.service';
import type { NetworkMappingDeps } from './network-mapping-deps';
import { NetworkConfigService } from './network-config.service';
import { NetworkMappingService } from './network-mapping.service';
import { NetworkStrategyService } from './network-strategy.service';

export interface NetworkMappingServices {
  mappings: NetworkMappingService;
  strategies: NetworkStrategyService;
  /** Failover resolution: the failover workflow calls networkConfig.requireValid(contextId, {type}). */
  networkConfig: NetworkConfigService;
  bulkRules: BulkRuleService;
}

export function createNetworkMappingServices(deps: NetworkMappingDeps): NetworkMappingServices {
  const mappings = new NetworkMappingService(deps);
  const strategies = new NetworkStrategyService(deps);
  return {
    mappings,
    strategies,
    networkConfig: new NetworkConfigService(deps, mappings, strategies),
    bulkRules: new BulkRuleService(deps, mappings.catalog),
  };
}

export type { NetworkMappingDeps } from './network-mapping-deps';
export type { AvailableNetwork, NetworkKind } from './network-catalog';
export type { MappingView, VmNetworkStatusView } from './mapping-views';
export type { NetworkConfig, NetworkConfigOptions, ValidatedNetworkConfig } from './network-config.service';
export type { BulkPreview, BulkResult, BulkRule } from './bulk-rules.service';
