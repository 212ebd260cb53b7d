// The steps of every way back from a failover. Each one converges: it reads the real state first and acts only
// on what is still off, so running it again (after a crash, or as a second cleanup) changes nothing. Volumes
// move only through the volume service (and a template root disk a failover left detached is deleted through it);
// the target VM is stopped and destroyed through the CloudStack client.
import { failoverJobsOf as jobsOf, inventoryOf } from '../volume-restore';
import { deleteTemplateRootIfDetached, recordedTemplateRoot } from '../template-root';
import { readVm, readVolume, type FailoverInventory } from './failover-inventory';
import { UNDONE_FAILOVER_STATUSES, moveContext, moveFailoverJob, undoneStatus } from './recovery-statuses';
import type { RecoveryCloud, RecoveryDeps, RecoveryInput } from './recovery.types';

export interface InventorySummary {
  volumes: { volumeId: string; attachedTo: 'server' | 'target' | 'nothing' | 'missing'; vmId: string | null }[];
  snapshots: { snapshotId: string; volumeId: string; state: string }[];
  targetVms: { vmId: string; name: string; state: string }[];
}

export function summarize(inventory: FailoverInventory): InventorySummary {
  return {
    volumes: inventory.volumes.map((v) => ({
      volumeId: v.volumeId,
      attachedTo: !v.exists
        ? 'missing'
        : v.attachedVmId === null
          ? 'nothing'
          : v.attachedVmId === inventory.serverVmId
            ? 'server'
            : 'target',
      vmId: v.attachedVmId,
    })),
    snapshots: inventory.snapshots.map((s) => ({ snapshotId: s.snapshotId, volumeId: s.volumeId, state: s.state })),
    targetVms: inventory.targetVms.map((vm) => ({ vmId: vm.vmId, name: vm.name, state: vm.state })),
  };
}

/** First step: the failover jobs being undone move to rolling_back (they keep holding the VM), then a look. */
export async function beginRecovery(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  for (const job of await jobsOf(deps, input))
    if (!UNDONE_FAILOVER_STATUSES.includes(job.status)) await moveFailoverJob(deps.repositories, job, 'rolling_back');
  return summarize(await inventoryOf(deps, input, signal));
}

const STOPPED = new Set(['Stopped', 'Destroyed', 'Shutdown', 'Error']);

export function runningTargets(inventory: FailoverInventory): string[] {
  return inventory.targetVms.filter((vm) => !STOPPED.has(vm.state)).map((vm) => vm.vmId);
}

export async function stopTargets(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  const { client } = await deps.cloud();
  const stopped: string[] = [];
  for (const vmId of runningTargets(await inventoryOf(deps, input, signal))) {
    const vm = await readVm(deps, client, vmId, signal);
    if (vm === undefined || STOPPED.has(vm.state)) continue;
    await client.stopVirtualMachine({ id: vmId, forced: true }, { signal });
    stopped.push(vmId);
  }
  return { stopped };
}

export async function destroyTargets(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  const inventory = await inventoryOf(deps, input, signal);
  const { client } = await deps.cloud();
  const destroyed: string[] = [];
  for (const target of input.keepTarget ? [] : inventory.targetVms) {
    const vm = await readVm(deps, client, target.vmId, signal);
    if (vm === undefined) continue;
    await client.destroyVirtualMachine({ id: vm.id, expunge: true }, { signal });
    destroyed.push(vm.id);
  }
  const kept = input.keepTarget ? inventory.targetVms.map((vm) => vm.vmId) : [];
  return { destroyed, kept, template_roots_deleted: await deleteTemplateRoots(deps, client, input, signal) };
}

/**
 * A failover whose attach step detached its target VM's template root disk but did not delete it, and whose
 * compensation then stopped before its sweep (or the sweep's delete failed), left that disk detached. CloudStack
 * shows it as a plain data disk of no VM: only the id the failover recorded finds it, and nothing else deletes it.
 */
async function deleteTemplateRoots(
  deps: RecoveryDeps,
  client: RecoveryCloud,
  input: RecoveryInput,
  signal: AbortSignal,
) {
  const read = (volumeId: string) => readVolume(deps, client, volumeId, signal);
  const deleted: string[] = [];
  for (const job of await jobsOf(deps, input)) {
    const volumeId = recordedTemplateRoot(job);
    if (volumeId !== null && (await deleteTemplateRootIfDetached(deps.volumes, read, volumeId))) deleted.push(volumeId);
  }
  return deleted;
}

export async function powerOnSource(deps: RecoveryDeps, input: RecoveryInput, signal: AbortSignal) {
  if (!input.powerOnSource) return { powerState: null as string | null, skipped: 'not asked' };
  const { powerState } = await deps.sourcePower.powerOn(input.contextId, signal);
  return { powerState: powerState as string | null, skipped: null as string | null };
}

export async function finishStatuses(deps: RecoveryDeps, input: RecoveryInput) {
  const now = deps.clock.now();
  const jobs: { jobId: string; status: string }[] = [];
  for (const job of await jobsOf(deps, input)) {
    const moved = await moveFailoverJob(deps.repositories, job, undoneStatus(job), { completed_at: now });
    jobs.push({ jobId: moved.job_id, status: moved.status });
  }
  const contextStatus = await moveContext(deps.repositories, input.contextId, 'ready_for_failover');
  return { jobs, contextStatus };
}

/** A recovery step failed: the failover jobs and the context say that an operator (or a repair) must act. */
export async function markCleanupRequired(deps: RecoveryDeps, input: RecoveryInput, reason: string): Promise<void> {
  for (const job of await jobsOf(deps, input))
    if (!UNDONE_FAILOVER_STATUSES.includes(job.status))
      await moveFailoverJob(deps.repositories, job, 'cleanup_required', { error_message: reason });
  await moveContext(deps.repositories, input.contextId, 'cleanup_required');
}
