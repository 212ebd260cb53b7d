import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { contextStatuses, type ContextStatus } from '@migratekit/core/statuses';
import { api } from '../../api/client';
import type { VmContextDetail } from '../../api/models';
import { useCanAct } from '../../auth/session';
import { Button, ConfirmDialog, InlineError } from '../../components/ui';
import { FailoverActions } from '../failover/failover-actions';
import { RecoveryActions } from '../failover/recovery-actions';
import { useActiveWorkflowJob } from '../failover/vm-jobs';

interface ActionSpec {
  id: string;
  label: string;
  /** Whether the action makes sense in this context status (the catalogue's state machine, docs/statuses.md). */
  when: (status: ContextStatus) => boolean;
  danger: boolean;
  consequences?: (vm: VmContextDetail) => ReactNode;
  /** Resolves to the job the action started, if it started one. */
  run: (vm: VmContextDetail) => Promise<{ jobId: string } | undefined>;
}

const REMOVABLE: readonly ContextStatus[] = ['discovered', 'ready_for_failover', 'failed', 'completed'];

// Replicate and remove; failover, cleanup and rollback open their own dialogs (FailoverActions).
const ACTIONS: ActionSpec[] = [
  {
    id: 'replicate',
    label: 'Replicate now',
    when: (status) => contextStatuses.canTransition(status, 'replicating'),
    danger: false,
    run: async (vm) => ({ jobId: (await api.ops.postVmContextsByIdReplicate({ path: { id: vm.context_id } })).id }),
  },
  {
    id: 'delete',
    label: 'Remove from management',
    // Not while a job or a failover holds the VM.
    when: (status) => REMOVABLE.includes(status),
    danger: true,
    consequences: (vm) => (
      <>
        Deletes the context <b>{vm.context_id}</b> with its job history, disk records and network mappings. The source
        VM in vCenter is not touched; its CloudStack volumes are removed by the volume daemon.
      </>
    ),
    run: async (vm) => {
      await api.ops.deleteVmContextsById({ path: { id: vm.context_id } });
      return undefined;
    },
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
      if (result) await navigate({ to: '/jobs/$jobId', params: { jobId: result.jobId } });
    },
  });
  // A failover, cleanup or rollback that runs or waits for a decision holds the VM (its context status does not
  // change until the workflow ends): its own section offers the way on, nothing here may act beside it.
  const holder = useActiveWorkflowJob(vm.context_id);
  const held = holder !== undefined;
  if (!canAct) return null;
  const available = held ? [] : ACTIONS.filter((a) => a.when(vm.current_status));
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
        <FailoverActions vm={vm} disabled={mutation.isPending} />
        <RecoveryActions vm={vm} disabled={mutation.isPending} />
        {holder ? (
          <p className="text-xs text-slate-500">
            The {holder.operation} is {holder.status}: it holds this VM until it ends (see Failover below).
          </p>
        ) : null}
        {available.length === 0 &&
        !held &&
        !['ready_for_failover', 'failed_over_test', 'failed_over_live', 'cleanup_required'].includes(
          vm.current_status,
        ) ? (
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
