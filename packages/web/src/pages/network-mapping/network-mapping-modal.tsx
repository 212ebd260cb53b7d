// The dual-mapping modal: one row per source network of the VM with a production and a test dropdown, a progress
// bar, and Save only when every network has both. Status and networks are fetched fresh on every open.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { Button, ErrorState, InlineError, Loading, Modal, ProgressBar, SelectField } from '../../components/ui';
import { networkOptions, useAvailableNetworks, type MappingKind } from './network-mapping.api';

type Draft = Record<string, Partial<Record<MappingKind, string>>>;

export function NetworkMappingModal({ contextId, onClose }: { contextId: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const status = useQuery({
    queryKey: ['network-mappings', 'vm', contextId],
    queryFn: () => api.ops.getVmNetworkMappingStatus({ path: { vm_id: contextId } }),
    staleTime: 0,
    refetchOnMount: 'always',
  });
  const networks = useAvailableNetworks();
  const [draft, setDraft] = useState<Draft>({});
  const save = useMutation({
    mutationFn: (mappings: { source_network_name: string; kind: MappingKind; destination_network_id: string }[]) =>
      api.ops.setContextNetworkMappings({ path: { context_id: contextId }, body: { mappings } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['network-mappings'] });
      await queryClient.invalidateQueries({ queryKey: ['contexts', contextId] });
      onClose();
    },
  });

  const rows = status.data?.networks ?? [];
  const valueOf = (source: string, kind: MappingKind): string => {
    const current = rows.find((r) => r.source_network_name === source)?.[kind];
    return draft[source]?.[kind] ?? current?.destination_network_id ?? '';
  };
  const required = rows.length * 2;
  const chosen = rows.reduce(
    (n, r) =>
      n + (valueOf(r.source_network_name, 'production') ? 1 : 0) + (valueOf(r.source_network_name, 'test') ? 1 : 0),
    0,
  );
  const complete = required > 0 && chosen === required;
  const onSave = () =>
    save.mutate(
      rows.flatMap((r) =>
        (['production', 'test'] as const).map((kind) => ({
          source_network_name: r.source_network_name,
          kind,
          destination_network_id: valueOf(r.source_network_name, kind),
        })),
      ),
    );

  return (
    <Modal
      wide
      title={`Network mapping: ${status.data?.vm_name ?? contextId}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" disabled={!complete || save.isPending} onClick={onSave}>
            {save.isPending ? 'Saving...' : 'Save mappings'}
          </Button>
        </>
      }
    >
      {status.isPending || networks.isPending ? (
        <Loading what="networks" />
      ) : status.isError || networks.isError ? (
        <ErrorState
          error={status.error ?? networks.error}
          what="networks"
          onRetry={() => void Promise.all([status.refetch(), networks.refetch()])}
        />
      ) : rows.length === 0 ? (
        <p className="text-xs text-slate-500">Discovery recorded no NIC for this VM.</p>
      ) : (
        <>
          <div className="flex items-center gap-3">
            <ProgressBar percent={(chosen / required) * 100} label="Mappings chosen" />
            <span className="shrink-0 text-xs tabular-nums">
              {chosen} of {required} mapped
            </span>
          </div>
          <table className="w-full text-xs">
            <thead className="text-left text-slate-500">
              <tr>
                <th className="py-1 font-medium">VMware network</th>
                <th className="py-1 font-medium">Production (live failover)</th>
                <th className="py-1 font-medium">Test (test failover)</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.source_network_name} className="align-top">
                  <td className="py-1 pr-2">
                    <p className="font-medium">{r.source_network_name}</p>
                    <p className="text-slate-500">{r.nic_labels.join(', ')}</p>
                  </td>
                  {(['production', 'test'] as const).map((kind) => (
                    <td key={kind} className="py-1 pr-2">
                      <SelectField
                        label={`${kind === 'production' ? 'Production' : 'Test'} network for ${r.source_network_name}`}
                        placeholder="Choose a network"
                        options={networkOptions(networks.data, kind)}
                        value={valueOf(r.source_network_name, kind)}
                        onChange={(e) =>
                          setDraft((d) => ({
                            ...d,
                            [r.source_network_name]: { ...d[r.source_network_name], [kind]: e.target.value },
                          }))
                        }
                      />
                      {r[kind]?.validation_status === 'invalid' ? (
                        <p className="mt-0.5 text-[11px] text-red-700 dark:text-red-400">
                          {r[kind]?.validation_reason}
                        </p>
                      ) : null}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {!complete ? (
            <p className="text-xs text-slate-500">
              Save is enabled once every network has a production and a test mapping.
            </p>
          ) : null}
          <InlineError error={save.error} />
        </>
      )}
    </Modal>
  );
}
