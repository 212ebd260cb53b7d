import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { http } from '../../api/client';
import type { VmContextDetail } from '../../api/types';
import { useCanAct } from '../../auth/session';
import { Button, ConfirmDialog, InlineError } from '../../components/ui';

interface ActionSpec {
  id: string;
  label: string;
  /** Context statuses in which the action makes sense (docs/model.md#context-status). */
  when: string[];
  danger: boolean;
  consequences?: (vm: VmContextDetail) => ReactNode;
  run: (vm: VmContextDetail) => Promise<unknown>;
}

// Only actions the API serves: failover, cleanup and rollback come with the failover feature, not in this version.
const ACTIONS: ActionSpec[] = [
  {
    id: 'replicate',
    label: 'Replicate now',
    when: ['discovered', 'ready_for_failover', 'failed'],
    danger: false,
    run: (vm) =>
      http.request('post', '/api/v1/replications', {
        body: {
          context_id: vm.context_id,
          vmware_vm_id: vm.vmware_vm_id,
          credential_id: vm.credential_id ?? undefined,
          start_replication: true,
        },
      }),
  },
  {
    id: 'delete',
    label: 'Remove from management',
    when: ['discovered', 'ready_for_failover', 'failed', 'completed'],
    danger: true,
    consequences: (vm) => (
      <>
        Deletes the context <b>{vm.context_id}</b> with its job history, disk records and network mappings. The source
        VM in vCenter is not touched; its CloudStack volumes are removed by the volume daemon.
      </>
    ),
    run: (vm) => http.request('delete', '/api/v1/vm-contexts/{id}', { path: { id: vm.context_id } }),
  },
];

export function VmActions({ vm }: { vm: VmContextDetail }) {
  const canAct = useCanAct();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<ActionSpec | null>(null);
  const mutation = useMutation({
    mutationFn: (action: ActionSpec) => action.run(vm),
    onSuccess: async (result, action) => {
      setConfirming(null);
      await qc.invalidateQueries({ queryKey: ['contexts'] });
      await qc.invalidateQueries({ queryKey: ['jobs'] });
      if (action.id === 'delete') {
        await navigate({ to: '/vms', search: {} });
        return;
      }
      const jobId =
        result && typeof result === 'object' ? (result as { job_id?: unknown; id?: unknown }).job_id : undefined;
      if (typeof jobId === 'string') await navigate({ to: '/jobs/$jobId', params: { jobId } });
    },
  });
  if (!canAct) return null;
  const available = ACTIONS.filter((a) => a.when.includes(vm.current_status));
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-1.5">
        {available.map((a) => (
          <Button
            key={a.id}
            variant={a.id === 'replicate' ? 'primary' : a.id === 'delete' ? 'danger' : 'secondary'}
            disabled={mutation.isPending}
            onClick={() => (a.danger ? setConfirming(a) : mutation.mutate(a))}
          >
            {a.label}
          </Button>
        ))}
        {available.length === 0 ? (
          <p className="text-xs text-slate-500">No action in status {vm.current_status.replace(/_/g, ' ')}.</p>
        ) : null}
      </div>
      {!confirming ? <InlineError error={mutation.error} /> : null}
      {confirming ? (
        <ConfirmDialog
          title={`${confirming.label}: ${vm.vm_name}`}
          consequences={confirming.consequences?.(vm)}
          confirmLabel={confirming.label}
          pending={mutation.isPending}
          error={mutation.error}
          onConfirm={() => mutation.mutate(confirming)}
          onCancel={() => {
            setConfirming(null);
            mutation.reset();
          }}
        />
      ) : null}
    </div>
  );
}
