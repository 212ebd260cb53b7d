// The deployed target VM's template root disk makes room for the migrated root (device 0). Its id is recorded in
// failover_jobs.options before it is detached: once detached CloudStack shows it as an ordinary DATADISK, and a
// failure between detach and delete would otherwise leave it orphaned. The compensation's sweep and the recovery
// workflows (the repair of a failed compensation) delete a recorded one left detached.
import type { Volume } from '@migratekit/cloudstack';
import type { FailoverJobRecord } from '@migratekit/db';
import type { VolumeService } from '../volumes/volume.service';
import type { FailoverDeps } from './failover-deps';
import { failoverCloud } from './failover-cloud';
import type { FailoverWorkflowInput } from './failover.types';

const KEY = 'templateRootVolumeId';

/** The id of the template root disk this failover recorded before detaching it, or null. */
export function recordedTemplateRoot(job: Pick<FailoverJobRecord, 'options'>): string | null {
  const id = job.options?.[KEY];
  return typeof id === 'string' ? id : null;
}

async function recordedRoot(deps: FailoverDeps, input: FailoverWorkflowInput) {
  const job = await deps.repositories.failoverJobs.require(input.failoverJobId);
  return { job, id: recordedTemplateRoot(job) };
}

/** Removes the VM's template root disk, and any one a previous attempt detached but did not delete. */
export async function discardTemplateRoot(
  deps: FailoverDeps,
  input: FailoverWorkflowInput,
  vmId: string,
): Promise<string | null> {
  const { job, id: recorded } = await recordedRoot(deps, input);
  const cloud = await failoverCloud(deps);
  const roots = await cloud.read(() =>
    cloud.client.listVolumes({ virtualmachineid: vmId, type: 'ROOT', listall: true }),
  );
  const managed = new Set(
    (await deps.repositories.cloudstackVolumes.listByContext(input.contextId)).map((r) => r.volume_id),
  );
  const root = roots.find((v) => v.virtualmachineid === vmId && !managed.has(v.id));
  if (root !== undefined) {
    await deps.repositories.failoverJobs.update(input.failoverJobId, { options: { ...job.options, [KEY]: root.id } });
    return deps.volumes.discardTemplateRootDisk(vmId);
  }
  if (recorded !== null) await deps.volumes.deleteDetachedTemplateRoot(recorded);
  return recorded;
}

/**
 * Deletes a recorded template root that is still there and detached; one still attached goes with its VM when
 * that is expunged. `read` is the caller's settled read of a volume. Returns whether it deleted it.
 */
export async function deleteTemplateRootIfDetached(
  volumes: Pick<VolumeService, 'deleteDetachedTemplateRoot'>,
  read: (volumeId: string) => Promise<Volume | undefined>,
  volumeId: string,
): Promise<boolean> {
  const volume = await read(volumeId);
  if (volume === undefined || volume.virtualmachineid !== undefined) return false;
  await volumes.deleteDetachedTemplateRoot(volumeId);
  return true;
}

/** For the sweep: a recorded template root that is still there (detached) is deleted. */
export async function sweepTemplateRoot(deps: FailoverDeps, input: FailoverWorkflowInput): Promise<void> {
  const { id } = await recordedRoot(deps, input);
  if (id === null) return;
  const cloud = await failoverCloud(deps);
  await deleteTemplateRootIfDetached(deps.volumes, (volumeId) => cloud.volume(volumeId), id);
}
