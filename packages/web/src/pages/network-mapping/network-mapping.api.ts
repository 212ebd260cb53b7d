// Types and queries of the Network Mapping page, all through the generated SDK's typed operations.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export type VmNetworkStatus = Awaited<ReturnType<typeof api.ops.listNetworkMappingStatus>>[number];
export type AvailableNetwork = Awaited<ReturnType<typeof api.ops.listAvailableNetworks>>[number];
export type BulkPreview = Awaited<ReturnType<typeof api.ops.previewNetworkMappingBulkRule>>;
export type MappingKind = 'production' | 'test';

export const NETWORK_STATUS_KEY = ['network-mappings', 'status'] as const;

/** The status table; also invalidated after every save. */
export function useNetworkStatus() {
  return useQuery({ queryKey: NETWORK_STATUS_KEY, queryFn: () => api.ops.listNetworkMappingStatus({}) });
}

/** CloudStack networks, fetched fresh whenever a dialog opens (never a stale list for a mapping decision). */
export function useAvailableNetworks() {
  return useQuery({
    queryKey: ['networks', 'available'],
    queryFn: () => api.ops.listAvailableNetworks({}),
    staleTime: 0,
    refetchOnMount: 'always',
  });
}

export function networkOptions(networks: AvailableNetwork[] | undefined, kind: MappingKind) {
  return (networks ?? [])
    .filter((n) => n.suitable_for.includes(kind))
    .map((n) => ({ value: n.id, label: `${n.name} (${n.type}${n.zone_name ? `, ${n.zone_name}` : ''})` }));
}
