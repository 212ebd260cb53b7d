// The VM context panel's NIC section: each NIC with its production and test mapping (or what is missing).
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { StatusBadge } from '../../components/status-badge';
import { ErrorState, Loading } from '../../components/ui';

export function VmNicMappings({ contextId }: { contextId: string }) {
  const status = useQuery({
    queryKey: ['network-mappings', 'vm', contextId],
    queryFn: () => api.ops.getVmNetworkMappingStatus({ path: { vm_id: contextId } }),
  });
  if (status.isPending) return <Loading what="NIC mappings" />;
  if (status.isError)
    return <ErrorState error={status.error} what="NIC mappings" onRetry={() => void status.refetch()} />;
  const s = status.data;
  if (s.networks.length === 0) return <p className="text-xs text-slate-500">No NIC recorded yet.</p>;
  const target = (m: (typeof s.networks)[number]['production']) =>
    m === null ? (
      <span className="text-amber-700 dark:text-amber-400">not mapped</span>
    ) : (
      (m.destination_network_name ?? m.destination_network_id)
    );
  return (
    <div className="space-y-1.5 text-xs">
      <p className="flex items-center gap-2">
        <StatusBadge status={s.status} /> {s.summary}
      </p>
      <ul className="space-y-1.5">
        {s.networks.map((n) => (
          <li key={n.source_network_name}>
            <p>
              <span className="font-medium">{n.nic_labels.join(', ')}</span> on{' '}
              <span className="font-medium">{n.source_network_name}</span>
            </p>
            <p className="text-slate-600 dark:text-slate-400">
              Production: {target(n.production)} · Test: {target(n.test)}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
