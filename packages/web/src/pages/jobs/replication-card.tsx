import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ReplicationDetails } from '../../api/models';
import { StatusBadge } from '../../components/status-badge';
import { Card, KeyValues, ProgressBar } from '../../components/ui';
import { formatBytes, formatRate } from '../../lib/format';

/** What a replication job moved, per disk: the bytes to move are used space or the CBT delta, not capacity. */
export function useReplicationDetails(jobId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['jobs', jobId, 'replication'],
    queryFn: () => api.ops.getReplicationsById({ path: { id: jobId } }),
    enabled,
  });
}

export function ReplicationCard({ details }: { details: ReplicationDetails }) {
  const disks = details.disks;
  return (
    <Card title="Replication">
      <KeyValues
        items={[
          ['Type', `${details.replication_type}${details.sync_type ? ` (${details.sync_type})` : ''}`],
          ['Moved', `${formatBytes(details.bytes_transferred)} of ${formatBytes(details.total_bytes)}`],
          [
            'Throughput',
            `avg ${formatRate(details.throughput_avg_bps)}, peak ${formatRate(details.throughput_peak_bps)}`,
          ],
          ['Failure class', details.error_classification ?? '-'],
        ]}
      />
      {disks.length > 0 ? (
        <table className="mt-2 w-full text-xs">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="font-medium">Disk</th>
              <th className="font-medium">Status</th>
              <th className="w-1/3 font-medium">Synced</th>
              <th className="font-medium">Change id</th>
            </tr>
          </thead>
          <tbody>
            {disks.map((d) => (
              <tr key={d.disk_id}>
                <td className="py-0.5">{d.label ?? d.disk_id}</td>
                <td>
                  <StatusBadge status={d.sync_status} />
                </td>
                <td className="pr-2">
                  <ProgressBar
                    // Only allocated or changed extents move, so a finished disk is complete whatever its capacity.
                    percent={
                      d.sync_status === 'synced'
                        ? 100
                        : d.capacity_bytes
                          ? (d.bytes_synced / d.capacity_bytes) * 100
                          : 0
                    }
                    label={`${d.label ?? d.disk_id} synced`}
                  />
                  <span className="text-slate-500">{formatBytes(d.bytes_synced)}</span>
                </td>
                <td className="max-w-40 truncate font-mono" title={d.disk_change_id ?? ''}>
                  {d.disk_change_id ?? '-'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}
