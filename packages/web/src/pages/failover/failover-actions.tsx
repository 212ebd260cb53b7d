// The VM panel's failover buttons: test and live failover, each through the pre-flight modal that says what it
// will do and checks it before it starts.
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { VmContextDetail } from '../../api/models';
import { Button } from '../../components/ui';
import type { FailoverType } from './failover-options';
import { PreflightModal } from './preflight-modal';
import { useActiveWorkflowJob } from './vm-jobs';

export function FailoverActions({ vm, disabled }: { vm: VmContextDetail; disabled: boolean }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState<FailoverType | null>(null);
  const close = () => setOpen(null);
  const started = async () => {
    setOpen(null);
    await qc.invalidateQueries({ queryKey: ['jobs'] });
    await qc.invalidateQueries({ queryKey: ['failover-readiness', vm.context_id] });
  };
  const status = vm.current_status;
  // A failover, cleanup or rollback still running (or paused) holds the VM: no second one from here.
  const held = useActiveWorkflowJob(vm.context_id) !== undefined;
  return (
    <>
      {status === 'ready_for_failover' && !held ? (
        <>
          <Button disabled={disabled} onClick={() => setOpen('test')}>
            Test failover
          </Button>
          <Button variant="danger" disabled={disabled} onClick={() => setOpen('live')}>
            Live failover
          </Button>
        </>
      ) : null}
      {open ? <PreflightModal vm={vm} type={open} onClose={close} onStarted={() => void started()} /> : null}
    </>
  );
}
