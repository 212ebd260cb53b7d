// Network mapping (docs/network-mapping.md): the services of the area, built by the composition root.
import type { BulkRuleService } from './bulk-rules.service';
import type { NetworkConfigService } from './network-config.service';
import type { NetworkMappingService } from './network-mapping.service';
import type { NetworkStrategyService } from './network-strategy.service';

export interface NetworkMappingServices {
  mappings: NetworkMappingService;
  strategies: NetworkStrategyService;
  /** Failover resolution: the failover workflow calls networkConfig.requireValid(contextId, {type}). */
  networkConfig: NetworkConfigService;
  bulkRules: BulkRuleService;
}

export type { NetworkMappingDeps } from './network-mapping-deps';
export type { AvailableNetwork, NetworkKind } from './network-catalog';
export type { MappingView, VmNetworkStatusView } from './mapping-views';
export type { NetworkConfig, NetworkConfigOptions, ValidatedNetworkConfig } from './network-config.service';
export type { BulkPreview, BulkResult, BulkRule } from './bulk-rules.service';
