// The pure part of failover network resolution (docs/network-mapping.md): given the VM's NICs, the mappings of the
// kind in use, the override map, NIC policies and the default network, the plan per NIC with warnings and errors.
import type { CustomOverride, IpPolicy, MacPolicy, NetworkMappingRecord, NicPolicy, VmNic } from '@migratekit/db';
import { kindOf } from './mapping-views';
import { nicLabel } from './source-networks';

export type FailoverType = 'live' | 'test';
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

export interface NicResolutionInput {
  type: FailoverType;
  /** Use the custom override map first. */
  custom: boolean;
  strict: boolean;
  /** The mappings of the kind this failover uses (production or test). */
  rows: readonly NetworkMappingRecord[];
  kind: 'production' | 'test';
  overrides: Record<string, CustomOverride>;
  policies: Record<string, NicPolicy>;
  defaultNetworkId: string | null;
}

interface Destination {
  id: string;
  name: string | null;
  source: DestinationSource;
}

interface Problems {
  warnings: string[];
  errors: NetworkConfigProblem[];
}

function destinationOf(input: NicResolutionInput, network: string, label: string, out: Problems): Destination | null {
  const override = input.custom ? input.overrides[network] : undefined;
  if (override !== undefined)
    return { id: override.destination_network_id, name: override.destination_network_name ?? null, source: 'custom' };
  const fail = (reason: string): null => {
    out.errors.push({ nic: label, source_network_name: network, reason });
    return null;
  };
  const row = input.rows.find((r) => r.source_network_name === network);
  if (row !== undefined) {
    if (row.validation_status === 'invalid')
      fail(`${kindOf(row.is_test_network)} mapping is invalid: ${row.validation_reason ?? 'unknown reason'}`);
    return { id: row.destination_network_id, name: row.destination_network_name, source: 'mapping' };
  }
  if (input.strict) return fail(`no ${input.kind} mapping (strict mapping)`);
  if (input.defaultNetworkId === null)
    return fail(`no ${input.kind} mapping and the CloudStack configuration has no default network`);
  out.warnings.push(
    `${label} (${network}) has no ${input.kind} mapping: using the default network ${input.defaultNetworkId}`,
  );
  return { id: input.defaultNetworkId, name: null, source: 'default' };
}

function resolveNic(input: NicResolutionInput, nic: VmNic, index: number, out: Problems): ResolvedNic {
  const label = nicLabel(nic, index);
  const destination = destinationOf(input, nic.network_name, label, out);
  const policy = input.policies[nic.mac_address ?? ''] ?? input.policies[label] ?? {};
  // A test VM runs next to its source: let CloudStack choose its MACs unless told otherwise.
  const macPolicy = policy.mac_policy ?? (input.type === 'live' ? 'keep_source' : 'cloudstack');
  const ipPolicy = policy.ip_policy ?? 'dhcp';
  const problem = (reason: string) => out.errors.push({ nic: label, source_network_name: nic.network_name, reason });
  if (macPolicy === 'keep_source' && (nic.mac_address ?? '') === '')
    problem('keep_source MAC policy but the NIC has no recorded MAC');
  if (ipPolicy === 'static' && (policy.ip_address ?? '') === '') problem('static IP policy without ip_address');
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
}

/** Every NIC in source order, with the warnings (fallbacks) and errors (nothing usable) found on the way. */
export function resolveNics(nics: readonly VmNic[], input: NicResolutionInput): Problems & { nics: ResolvedNic[] } {
  const out: Problems = { warnings: [], errors: [] };
  if (nics.length === 0)
    out.errors.push({ nic: null, source_network_name: null, reason: 'the VM has no recorded NICs' });
  return { nics: nics.map((nic, index) => resolveNic(input, nic, index, out)), ...out };
}
