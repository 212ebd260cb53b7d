import { invalidParameter } from '../api-error';
import { csDate, instanceName, renderSnapshot } from '../render';
import {
  UndoRecorder,
  commonFilter,
  findSnapshot,
  findVolume,
  listResponse,
  must,
  str,
  type Handler,
} from '../sim-context';
import type { SimSnapshot } from '../sim-types';

export const listSnapshots: Handler = (ctx) => {
  const volumeid = str(ctx, 'volumeid');
  const zoneid = str(ctx, 'zoneid');
  const snapshots = commonFilter(ctx, ctx.state.snapshots, (s) => ({ id: s.id, name: s.name })).filter(
    (s) => (volumeid === undefined || s.volumeId === volumeid) && (zoneid === undefined || s.zoneid === zoneid),
  );
  return listResponse(
    ctx,
    'snapshot',
    snapshots.map((s) => renderSnapshot(ctx.state, s)),
  );
};

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Create-type command: the volume must be Ready (an Allocated volume has no storage to copy). */
export const createSnapshot: Handler = (ctx) => {
  const volume = must(findVolume(ctx, 'volumeid'));
  if (volume.state !== 'Ready')
    throw invalidParameter(`VolumeId: ${volume.id} is not in Ready state but ${volume.state}. Cannot take snapshot.`);
  const vm = ctx.state.vms.find((v) => v.id === volume.vmId);
  const id = ctx.newId();
  const snapshot: SimSnapshot = {
    id,
    // SnapshotManagerImpl.allocSnapshot: <instance name or "detached">_<volume name>_<yyyyMMddHHmmss UTC>.
    name: str(ctx, 'name') ?? `${vm ? instanceName(vm) : 'detached'}_${volume.name}_${timestamp(ctx.now())}`,
    volumeId: volume.id,
    volumeName: volume.name,
    volumeType: volume.type,
    zoneid: volume.zoneid,
    state: 'Allocated',
    sizeBytes: volume.sizeBytes,
    created: csDate(ctx.now()),
    file: `snapshots/${id}.img`,
  };
  const undo = new UndoRecorder(ctx.state).snapshot(id).volume(volume.id);
  ctx.state.snapshots.push(snapshot);
  volume.state = 'Snapshotting';
  const job = ctx.submitJob({
    instanceType: 'Snapshot',
    instanceId: id,
    action: { kind: 'createSnapshot', snapshotId: id },
    undo: undo.undo,
  });
  return { jobid: job.jobid, id };
};

/** SnapshotManagerImpl.revertSnapshot: volume Ready, its VM (if any) stopped. */
export const revertSnapshot: Handler = (ctx) => {
  const snapshot = must(findSnapshot(ctx, 'id'));
  if (snapshot.state !== 'BackedUp')
    throw invalidParameter(
      `Snapshot ${snapshot.id} is in state ${snapshot.state}; only a BackedUp snapshot can be reverted`,
    );
  const volume = ctx.state.volumes.find((v) => v.id === snapshot.volumeId);
  if (!volume) throw invalidParameter(`The volume of snapshot ${snapshot.id} no longer exists`);
  if (volume.state !== 'Ready')
    throw invalidParameter(
      `Volume: ${volume.name} is not in Ready state but ${volume.state}. Cannot revert the volume to snapshot`,
    );
  const vm = ctx.state.vms.find((v) => v.id === volume.vmId);
  if (vm && vm.state !== 'Stopped' && vm.state !== 'Shutdown')
    throw invalidParameter('The VM the specified disk is attached to is not in the shutdown state.');
  if (vm && ctx.state.vmSnapshots.some((s) => s.vmId === vm.id))
    throw invalidParameter(
      'Unable to revert snapshot for VM, please remove VM snapshots before reverting VM from snapshot',
    );
  const undo = new UndoRecorder(ctx.state).volume(volume.id);
  volume.state = 'RevertSnapshotting';
  const job = ctx.submitJob({
    instanceType: 'Snapshot',
    instanceId: snapshot.id,
    action: { kind: 'revertSnapshot', snapshotId: snapshot.id },
    undo: undo.undo,
  });
  return { jobid: job.jobid };
};

export const deleteSnapshot: Handler = (ctx) => {
  const snapshot = must(findSnapshot(ctx, 'id'));
  if (snapshot.state !== 'BackedUp' && snapshot.state !== 'Error')
    throw invalidParameter(`Snapshot ${snapshot.id} is in state ${snapshot.state} and cannot be deleted now`);
  const undo = new UndoRecorder(ctx.state).snapshot(snapshot.id);
  snapshot.state = 'Destroying';
  const job = ctx.submitJob({
    instanceType: 'Snapshot',
    instanceId: snapshot.id,
    action: { kind: 'deleteSnapshot', snapshotId: snapshot.id },
    undo: undo.undo,
  });
  return { jobid: job.jobid };
};
