// The last compensation of every failover (registered on its validate step): whatever an interrupted step left
// half done is found by the failover's marks, not by recorded ids: the target VM by its planned name or recorded
// id, the snapshots by their name (each volume reverted to its snapshot before it goes), the volumes by the context.
// It converges to "nothing of this failover exists, every volume on the server with its pre-failover bytes", so a
// step that crashed half way leaves nothing orphaned (docs/failover.md).
import { failoverCloud, restoreDepsOf } from './failover-cloud';
import { sweepTemplateRoot } from './template-root';
import type { FailoverDeps } from './failover-deps';
import { restoreScope, type FailoverWorkflowInput } from './failover.types';
import { restoreVolumes } from './volume-restore';

export async function sweepFailover(
  deps: FailoverDeps,
  input: FailoverWorkflowInput,
  signal: AbortSignal,
): Promise<void> {
  const cloud = await failoverCloud(deps);
  const job = await deps.repositories.failoverJobs.require(input.failoverJobId);
  const byId = job.destination_vm_id === null ? undefined : await cloud.vm(job.destination_vm_id);
  const vm = byId ?? (await cloud.vmNamed(input.targetVmName));
  if (vm !== undefined && vm.state === 'Running')
    await cloud.client.stopVirtualMachine({ id: vm.id, forced: true }, { signal });
  // A snapshot still there means its volume may hold writes since: revert before it goes, then every volume (on
  // the target, detached, or already on the server) ends on the server (volume-restore.ts).
  await restoreVolumes(restoreDepsOf(deps), restoreScope(input), signal);
  if (vm !== undefined) await cloud.client.destroyVirtualMachine({ id: vm.id, expunge: true }, { signal });
  await sweepTemplateRoot(deps, input);
  await deps.repositories.failoverJobs.update(input.failoverJobId, { volume_snapshots: null });
}
