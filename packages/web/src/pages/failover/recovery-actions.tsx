// The VM panel's ways back from a failover, each opening the dialog that says what it will do and lose before it
// does it: test cleanup and live rollback (decision modal), and the failed-execution cleanup of a VM left in
// cleanup_required.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { VmContextDetail } from '../../api/models';
import { Button, ConfirmDialog } from '../../components/ui';
import { runFailedExecutionCleanup } from './recovery.api';
import type { FailoverType } from './failover-options';
import { RollbackDecisionModal } from './rollback-decision-modal';
import { useActiveWorkflowJob } from './vm-jobs';

type Open = { dialog: 'rollback'; type: FailoverType } | { dialog: 'repair' } | null;

export function RecoveryActions({ vm, disabled }: { vm: VmContextDetail; disabled: boolean }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const started = async () => {
    setOpen(null);
    await qc.invalidateQueries({ queryKey: ['jobs'] });
    await qc.invalidateQueries({ queryKey: ['failover-readiness', vm.context_id] });
  };
  const repair = useMutation({
    mutationFn: () => runFailedExecutionCleanup(vm.context_id),
    onSuccess: started,
  });
  const status = vm.current_status;
  // While a cleanup or rollback (or the failover itself) runs or waits, the tracker offers its own actions.
  const active = useActiveWorkflowJob(vm.context_id);
  const held = active !== undefined;
  // A job whose undo failed waits for the operator; the failed-execution cleanup is one way to resolve it.
  const repairable = !held || active.status === 'cleanup_required';
  return (
    <>
      {status === 'failed_over_test' && !held ? (
        <Button variant="primary" disabled={disabled} onClick={() => setOpen({ dialog: 'rollback', type: 'test' })}>
          Clean up test
        </Button>
      ) : null}
      {status === 'failed_over_live' && !held ? (
        <Button variant="danger" disabled={disabled} onClick={() => setOpen({ dialog: 'rollback', type: 'live' })}>
          Roll back
        </Button>
      ) : null}
      {status === 'cleanup_required' && repairable ? (
        <Button variant="primary" disabled={disabled} onClick={() => setOpen({ dialog: 'repair' })}>
          Run failed-execution cleanup
        </Button>
      ) : null}
      {open?.dialog === 'rollback' ? (
        <RollbackDecisionModal vm={vm} type={open.type} onClose={close} onStarted={() => void started()} />
      ) : null}
      {open?.dialog === 'repair' ? (
        <ConfirmDialog
          title={`Failed-execution cleanup: ${vm.vm_name}`}
          consequences={
            <>
              Looks at where each volume of <b>{vm.vm_name}</b> really is, which failover snapshots and target VMs
              exist, and converges to the clean state: volumes back on the MigrateKit server with their exports, no
              failover snapshot, no target VM, the VM ready for failover. Running it twice changes nothing the second
              time.
            </>
          }
          confirmLabel="Run cleanup"
          danger={false}
          pending={repair.isPending}
          error={repair.error}
          onConfirm={() => repair.mutate()}
          onCancel={() => {
            close();
            repair.reset();
          }}
        />
      ) : null}
    </>
  );
}
