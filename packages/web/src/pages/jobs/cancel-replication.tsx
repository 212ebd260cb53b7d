import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { jobStatuses, type JobStatus } from '@migratekit/core/statuses';
import { api } from '../../api/client';
import { useCanAct } from '../../auth/session';
import { Button, ConfirmDialog } from '../../components/ui';

/** Cancel for a replication job that is still moving data (operators only, with confirmation). */
export function CancelReplication({ jobId, jobType, status }: { jobId: string; jobType: string; status: JobStatus }) {
  const canAct = useCanAct();
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation({
    mutationFn: () => api.ops.deleteReplicationsById({ path: { id: jobId } }),
    onSuccess: async () => {
      setConfirming(false);
      await qc.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
  if (!canAct || jobType !== 'replication' || jobStatuses.isFinal(status)) return null;
  return (
    <>
      <Button variant="danger" onClick={() => setConfirming(true)}>
        Cancel replication
      </Button>
      {confirming ? (
        <ConfirmDialog
          title="Cancel this replication"
          consequences="Stops the copy now. The VM stays under management and keeps the last completed replication; data copied by this run is not counted as a sync point."
          confirmLabel="Cancel replication"
          pending={cancel.isPending}
          error={cancel.error}
          onConfirm={() => cancel.mutate()}
          onCancel={() => {
            setConfirming(false);
            cancel.reset();
          }}
        />
      ) : null}
    </>
  );
}
