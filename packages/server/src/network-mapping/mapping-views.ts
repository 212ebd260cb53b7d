// What the API returns for mappings and per-VM mapping status; shared by the services and the route schemas.
import type { ContextNics, NetworkMappingRecord, ValidationStatus } from '@migratekit/db';
import type { NetworkKind } from './network-catalog';
import { sourceNetworksOf } from './source-networks';

export interface MappingView {
  id: string;
  context_id: string;
  source_network_name: string;
  kind: NetworkKind;
  is_test_network: boolean;
  destination_network_id: string;
  destination_network_name: string | null;
  validation_status: ValidationStatus;
  validation_reason: string | null;
  last_validated: string | null;
  created_at: string;
  updated_at: string;
}

export type VmMappingStatus = 'configured' | 'needs_setup' | 'error';

export interface SourceNetworkStatus {
  source_network_name: string;
  nic_labels: string[];
  production: MappingView | null;
  test: MappingView | null;
}

export interface VmNetworkStatusView {
  context_id: string;
  vm_name: string;
  context_status: string;
  status: VmMappingStatus;
  configured: number;
  required: number;
  /** "X of Y configured". */
  summary: string;
  networks: SourceNetworkStatus[];
  missing: { source_network_name: string; kind: NetworkKind }[];
  invalid: { source_network_name: string; kind: NetworkKind; reason: string | null }[];
  /** Mappings for networks the VM no longer has (left by an older discovery); never used by a failover. */
  stale: MappingView[];
}

export const kindOf = (isTest: boolean): NetworkKind => (isTest ? 'test' : 'production');

export function toMappingView(row: NetworkMappingRecord): MappingView {
  return {
    id: row.id,
    context_id: row.vm_context_id,
    source_network_name: row.source_network_name,
    kind: kindOf(row.is_test_network),
    is_test_network: row.is_test_network,
    destination_network_id: row.destination_network_id,
    destination_network_name: row.destination_network_name,
    validation_status: row.validation_status,
    validation_reason: row.validation_reason,
    last_validated: row.last_validated === null ? null : row.last_validated.toISOString(),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Status of one VM: every source network needs a production and a test mapping, none of them invalid. */
export function vmNetworkStatus(vm: ContextNics, rows: readonly NetworkMappingRecord[]): VmNetworkStatusView {
  const views = rows.map(toMappingView);
  const find = (name: string, kind: NetworkKind): MappingView | null =>
    views.find((v) => v.source_network_name === name && v.kind === kind) ?? null;
  const sources = sourceNetworksOf(vm.nics);
  const networks = sources.map((s) => ({
    source_network_name: s.name,
    nic_labels: s.nic_labels,
    production: find(s.name, 'production'),
    test: find(s.name, 'test'),
  }));
  const missing: VmNetworkStatusView['missing'] = [];
  const invalid: VmNetworkStatusView['invalid'] = [];
  for (const n of networks)
    for (const kind of ['production', 'test'] as const) {
      const mapping = n[kind];
      if (mapping === null) missing.push({ source_network_name: n.source_network_name, kind });
      else if (mapping.validation_status === 'invalid')
        invalid.push({ source_network_name: n.source_network_name, kind, reason: mapping.validation_reason });
    }
  const required = networks.length * 2;
  const configured = required - missing.length;
  const names = new Set(sources.map((s) => s.name));
  return {
    context_id: vm.vm_context_id,
    vm_name: vm.vm_name,
    context_status: vm.current_status,
    status: invalid.length > 0 ? 'error' : missing.length > 0 ? 'needs_setup' : 'configured',
    configured,
    required,
    summary: `${configured} of ${required} configured`,
    networks,
    missing,
    invalid,
    stale: views.filter((v) => !names.has(v.source_network_name)),
  };
}
