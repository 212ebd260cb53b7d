// Resolution of a VM's networks for a failover (docs/network-mapping.md): for each NIC in source order, the
// destination network, MAC policy and IP policy. The failover workflow calls resolve()/requireValid() directly;
// the HTTP routes only show the same result.
import { MigrateKitError } from '@migratekit/core';
import type { CustomOverride, MacPolicy, NetworkStrategyName, NicPolicy, IpPolicy } from '@migratekit/db';
import { kindOf } from './mapping-views';
import { unusableReason, type NetworkSnapshot } from './network-catalog';
import type { NetworkMappingDeps } from './network-mapping-deps';
import type { NetworkMappingService } from './network-mapping.service';
import type { NetworkStrategyService } from './network-strategy.service';
import { nicLabel } from './source-networks';

export type FailoverType = 'live' | 'test';

export interface NetworkConfigOptions {
  type: FailoverType;
  /** Overrides the VM's stored strategy for this failover. */
  strategy?: NetworkStrategyName;
  /** Overrides the VM's stored strict flag. */
  strict?: boolean;
  /** Per-failover override map (source network name -> destination), on top of the stored one. */
  custom_overrides?: Record<string, CustomOverride>;
  nic_policies?: Record<string, NicPolicy>;
}

export type DestinationSource = 'mapping' | 'custom' | 'default';

export interface ResolvedNic {
  index: number;
  label: string;
  source_network_name: string;
  source_mac_address: string | null;
  adapter_type: string | null;
  connected: boolean | null;
  destination_network_id: string | null;
  destination_network_name: string | null;
  destination_source: DestinationSource | null;
  mac_policy: MacPolicy;
  /** The MAC to request: the source MAC when kept, null when CloudStack chooses. */
  mac_address: string | null;
  ip_policy: IpPolicy;
  ip_address: string | null;
}

export interface NetworkConfigProblem {
  nic: string | null;
  source_network_name: string | null;
  reason: string;
}

export interface NetworkConfig {
  context_id: string;
  vm_name: string;
  type: FailoverType;
  strategy: NetworkStrategyName;
  strict: boolean;
  nics: ResolvedNic[];
  warnings: string[];
  errors: NetworkConfigProblem[];
  /** True when every NIC has a destination and nothing is in errors. */
  ok: boolean;
}

export interface ValidatedNetworkConfig extends NetworkConfig {
  validated_at: string;
}

interface Destination {
  id: string;
  name: string | null;
  source: DestinationSource;
}

export class NetworkConfigService {
  constructor(
    private readonly deps: NetworkMappingDeps,
    private readonly mappings: NetworkMappingService,
    private readonly strategies: NetworkStrategyService,
  ) {}

  /** The NIC plan from the stored mappings (no CloudStack call beyond reading the default network id). */
  async resolve(reference: string, options: NetworkConfigOptions): Promise<NetworkConfig> {
    const vm = await this.mappings.vm(reference);
    const stored = await this.strategies.get(vm.vm_context_id);
    const { config } = await this.deps.cloudStack.active();
    const strategy = options.strategy ?? stored.strategy ?? (options.type === 'live' ? 'production' : 'isolated');
    const strict = options.strict ?? stored.strict_mapping;
    const overrides = { ...stored.custom_overrides, ...options.custom_overrides };
    const policies = { ...stored.nic_policies, ...options.nic_policies };
    // custom uses the failover type's mappings for networks the override map does not name.
    const useTest = strategy === 'isolated' || (strategy === 'custom' && options.type === 'test');
    const rows = await this.deps.repositories.networkMappings.listByContext(vm.vm_context_id, {
      isTestNetwork: useTest,
    });
    const warnings: string[] = [];
    const errors: NetworkConfigProblem[] = [];
    if (options.type === 'test' && strategy === 'production')
      warnings.push('test failover on production networks: the test VM will share them with the running source VM');
    if (vm.nics.length === 0)
      errors.push({ nic: null, source_network_name: null, reason: 'the VM has no recorded NICs' });

    const destinationOf = (network: string, label: string): Destination | null => {
      const override = strategy === 'custom' ? overrides[network] : undefined;
      if (override !== undefined)
        return {
          id: override.destination_network_id,
          name: override.destination_network_name ?? null,
          source: 'custom',
        };
      const row = rows.find((r) => r.source_network_name === network);
      if (row !== undefined) {
        if (row.validation_status === 'invalid')
          errors.push({
            nic: label,
            source_network_name: network,
            reason: `${kindOf(row.is_test_network)} mapping is invalid: ${row.validation_reason ?? 'unknown reason'}`,
          });
        return { id: row.destination_network_id, name: row.destination_network_name, source: 'mapping' };
      }
      const kind = useTest ? 'test' : 'production';
      if (strict) {
        errors.push({ nic: label, source_network_name: network, reason: `no ${kind} mapping (strict mapping)` });
        return null;
      }
      if (config.defaultNetworkId === null) {
        errors.push({
          nic: label,
          source_network_name: network,
          reason: `no ${kind} mapping and the CloudStack configuration has no default network`,
        });
        return null;
      }
      warnings.push(
        `${label} (${network}) has no ${kind} mapping: using the default network ${config.defaultNetworkId}`,
      );
      return { id: config.defaultNetworkId, name: null, source: 'default' };
    };

    const nics = vm.nics.map((nic, index): ResolvedNic => {
      const label = nicLabel(nic, index);
      const destination = destinationOf(nic.network_name, label);
      const policy = policies[nic.mac_address ?? ''] ?? policies[label] ?? {};
      // A test VM runs next to its source: let CloudStack choose its MACs unless told otherwise.
      const macPolicy = policy.mac_policy ?? (options.type === 'live' ? 'keep_source' : 'cloudstack');
      const ipPolicy = policy.ip_policy ?? 'dhcp';
      if (macPolicy === 'keep_source' && (nic.mac_address ?? '') === '')
        errors.push({
          nic: label,
          source_network_name: nic.network_name,
          reason: 'keep_source MAC policy but the NIC has no recorded MAC',
        });
      if (ipPolicy === 'static' && (policy.ip_address ?? '') === '')
        errors.push({
          nic: label,
          source_network_name: nic.network_name,
          reason: 'static IP policy without ip_address',
        });
      return {
        index,
        label,
        source_network_name: nic.network_name,
        source_mac_address: nic.mac_address ?? null,
        adapter_type: nic.adapter_type ?? null,
        connected: nic.connected ?? null,
        destination_network_id: destination?.id ?? null,
        destination_network_name: destination?.name ?? null,
        destination_source: destination?.source ?? null,
        mac_policy: macPolicy,
        mac_address: macPolicy === 'keep_source' ? (nic.mac_address ?? null) : null,
        ip_policy: ipPolicy,
        ip_address: ipPolicy === 'static' ? (policy.ip_address ?? null) : null,
      };
    });
    return {
      context_id: vm.vm_context_id,
      vm_name: vm.vm_name,
      type: options.type,
      strategy,
      strict,
      nics,
      warnings,
      errors,
      ok: errors.length === 0 && nics.every((n) => n.destination_network_id !== null),
    };
  }

  /**
   * Revalidates the VM's mappings against CloudStack now, resolves, and checks every chosen destination
   * (mapped, custom or default) exists in the configured zone and can be used for deployment.
   */
  async validate(reference: string, options: NetworkConfigOptions): Promise<ValidatedNetworkConfig> {
    const snapshot = await this.mappings.catalog.snapshot();
    await this.mappings.validate(reference, snapshot);
    const resolved = await this.resolve(reference, options);
    const errors = [...resolved.errors];
    const nics = resolved.nics.map((nic) => this.checkDestination(nic, snapshot, errors));
    return {
      ...resolved,
      nics,
      errors,
      ok: errors.length === 0 && nics.every((n) => n.destination_network_id !== null),
      validated_at: this.deps.clock.now().toISOString(),
    };
  }

  /** For the failover workflow: the validated plan, or MKE_VALIDATION listing every problem. */
  async requireValid(reference: string, options: NetworkConfigOptions): Promise<ValidatedNetworkConfig> {
    const config = await this.validate(reference, options);
    if (!config.ok)
      throw new MigrateKitError('MKE_VALIDATION', {
        message: `The ${options.type} failover networks of ${config.vm_name} are not ready: ${config.errors.map((e) => e.reason).join('; ')}`,
        details: { errors: config.errors },
      });
    return config;
  }

  private checkDestination(nic: ResolvedNic, snapshot: NetworkSnapshot, errors: NetworkConfigProblem[]): ResolvedNic {
    if (nic.destination_network_id === null) return nic;
    const network = snapshot.byId.get(nic.destination_network_id);
    const reason = unusableReason(network, nic.destination_network_id);
    if (reason !== null && !errors.some((e) => e.nic === nic.label && e.reason.includes(reason)))
      errors.push({ nic: nic.label, source_network_name: nic.source_network_name, reason });
    return { ...nic, destination_network_name: network?.name ?? nic.destination_network_name };
  }
}
