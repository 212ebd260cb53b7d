import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { StatusBadge } from '../../components/status-badge';
import { Button, ErrorState, InlineError, KeyValues, Loading } from '../../components/ui';
import { formatAge, formatBytes, formatDateTime } from '../../lib/format';
import { VmNicMappings } from '../network-mapping/vm-nic-mappings';
import { VmFailoverSection } from '../failover/vm-failover-section';
import { VmStory } from '../failover/vm-story';
import { NetworkMappingModal } from '../network-mapping/network-mapping-modal';
import { VmActions } from './vm-actions';
import { useCanAct } from '../../auth/session';

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="border-b border-slate-200 px-3 py-2.5 dark:border-slate-800">
      <h3 className="mb-1.5 text-[11px] font-semibold tracking-wide text-slate-500 uppercase">{title}</h3>
      {children}
    </section>
  );
}

export function VmContextPanel({ contextId, onClose }: { contextId: string; onClose: () => void }) {
  const detail = useQuery({
    queryKey: ['contexts', contextId],
    queryFn: () => api.ops.getVmContextsById({ path: { id: contextId } }),
  });
  const vm = detail.data;
  const canAct = useCanAct();
  const qc = useQueryClient();
  const [mapping, setMapping] = useState(false);
  // Readiness items link to what fixes them: the mapping modal, and a replication.
  const replicate = useMutation({
    mutationFn: () => api.ops.postVmContextsByIdReplicate({ path: { id: contextId } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['contexts'] }),
  });
  const jobs = vm?.jobs ?? [];
  return (
    <aside
      aria-label="VM details"
      className="flex w-[420px] shrink-0 flex-col overflow-auto border-l border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-start justify-between gap-2 border-b border-slate-200 px-3 py-2.5 dark:border-slate-800">
        <div className="min-w-0">
          <h2 className="truncate text-sm font-semibold">{vm?.vm_name ?? contextId}</h2>
          <p className="truncate font-mono text-[11px] text-slate-500">{contextId}</p>
        </div>
        <Button variant="ghost" onClick={onClose} aria-label="Close details">
          Close
        </Button>
      </div>
      {detail.isPending ? (
        <Loading what="VM details" />
      ) : detail.isError ? (
        <ErrorState error={detail.error} what="VM details" onRetry={() => void detail.refetch()} />
      ) : vm ? (
        <>
          {canAct ? (
            <Section title="Actions">
              <VmActions vm={vm} />
            </Section>
          ) : null}
          <Section title="Failover">
            <VmFailoverSection
              vm={vm}
              actions={{
                mapNetworks: () => setMapping(true),
                replicate: canAct && !replicate.isPending ? () => replicate.mutate() : undefined,
              }}
            />
            <InlineError error={replicate.error} />
          </Section>
          <Section title="Details">
            <KeyValues
              items={[
                ['Status', <StatusBadge key="s" status={vm.current_status} />],
                [
                  'Since',
                  vm.last_status_change
                    ? `${formatDateTime(vm.last_status_change)} (${formatAge(vm.last_status_change)})`
                    : '-',
                ],
                ['vCenter', vm.vcenter_host],
                ['Datacenter', vm.datacenter],
                ['Path', vm.vm_path],
                [
                  'Instance UUID',
                  <span key="u" className="font-mono">
                    {vm.vmware_vm_id}
                  </span>,
                ],
                [
                  'CPU / memory',
                  `${vm.cpu_count ?? '-'} vCPU / ${vm.memory_mb ? formatBytes(vm.memory_mb * 1024 * 1024) : '-'}`,
                ],
                ['OS / firmware', `${vm.os_type ?? '-'} / ${vm.firmware ?? '-'}`],
                ['Power', vm.power_state],
                ['Jobs', `${vm.total_jobs_run ?? 0} run, ${vm.successful_jobs ?? 0} ok, ${vm.failed_jobs ?? 0} failed`],
              ]}
            />
          </Section>
          <Section title={`Disks (${vm.disks?.length ?? 0})`}>
            {(vm.disks ?? []).length === 0 ? (
              <p className="text-xs text-slate-500">No disk recorded yet.</p>
            ) : (
              <table className="w-full text-xs">
                <thead className="text-left text-slate-500">
                  <tr>
                    <th className="font-medium">Disk</th>
                    <th className="font-medium">Capacity</th>
                    <th className="font-medium">Datastore</th>
                    <th className="font-medium">Volume</th>
                  </tr>
                </thead>
                <tbody>
                  {(vm.disks ?? []).map((d) => (
                    <tr key={d.disk_id}>
                      <td title={d.vmdk_path ?? undefined}>{d.label ?? d.disk_id}</td>
                      <td className="tabular-nums">{formatBytes(d.capacity_bytes)}</td>
                      <td className="truncate">{d.datastore ?? '-'}</td>
                      <td className="truncate font-mono" title={d.cloudstack_volume_id ?? ''}>
                        {d.cloudstack_volume_id?.slice(0, 8) ?? '-'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <Section title={`NICs (${vm.networks?.length ?? 0})`}>
            <VmNicMappings contextId={contextId} />
          </Section>
          <Section title={`CloudStack volumes (${vm.volumes?.length ?? 0})`}>
            {(vm.volumes ?? []).length === 0 ? (
              <p className="text-xs text-slate-500">No volume yet: the first replication creates them.</p>
            ) : (
              <ul className="space-y-0.5 text-xs">
                {(vm.volumes ?? []).map((v) => (
                  <li key={v.volume_id} className="flex justify-between gap-2">
                    <span className="truncate font-mono">{v.name ?? v.volume_id}</span>
                    <span className="shrink-0 text-slate-500">
                      {formatBytes(v.size_bytes)} {v.mode ? `(${v.mode})` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <Section title="Job history and decisions">
            <VmStory contextId={contextId} replications={jobs} />
          </Section>
        </>
      ) : null}
      {mapping ? (
        <NetworkMappingModal
          contextId={contextId}
          onClose={() => {
            setMapping(false);
            void qc.invalidateQueries({ queryKey: ['failover-readiness', contextId] });
          }}
        />
      ) : null}
    </aside>
  );
}
