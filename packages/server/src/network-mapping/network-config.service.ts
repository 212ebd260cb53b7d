// Resolution of a VM's networks for a failover (docs/network-mapping.md): for each NIC in source order, the
// destination network, MAC policy and IP policy. The failover workflow calls resolve()/requireValid() directly;
// the HTTP routes only show the same result.
import { MigrateKitError } from '@migratekit/core';
import type { CustomOverride, NetworkStrategyName, NicPolicy } from '@migratekit/db';
import { unusableReason, type NetworkSnapshot } from './network-catalog';
import type { NetworkMappingDeps } from './network-mapping-deps';
import type { NetworkMappingService } from './network-mapping.service';
import type { NetworkStrategyService } from './network-strategy.service';
import { resolveNics, type FailoverType, type NetworkConfigProblem, type ResolvedNic } from './nic-resolution';

export type { FailoverType, NetworkConfigProblem, ResolvedNic } from './nic-resolution';

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
    // custom uses the failover type's mappings for networks the override map does not name.
    const useTest = strategy === 'isolated' || (strategy === 'custom' && options.type === 'test');
    const rows = await this.deps.repositories.networkMappings.listByContext(vm.vm_context_id, {
      isTestNetwork: useTest,
    });
    const resolved = resolveNics(vm.nics, {
      type: options.type,
      custom: strategy === 'custom',
      strict,
      rows,
      kind: useTest ? 'test' : 'production',
      overrides: { ...stored.custom_overrides, ...options.custom_overrides },
      policies: { ...stored.nic_policies, ...options.nic_policies },
      defaultNetworkId: config.defaultNetworkId,
    });
    const warnings = [...resolved.warnings];
    if (options.type === 'test' && strategy === 'production')
      warnings.push('test failover on production networks: the test VM will share them with the running source VM');
    const { nics, errors } = resolved;
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
