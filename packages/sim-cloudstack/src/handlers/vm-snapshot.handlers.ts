import { SimApiError, invalidParameter } from '../api-error';
import { csDate, instanceName, renderVmSnapshot } from '../render';
import { UndoRecorder, bool, csv, findVm, findVmSnapshot, listResponse, must, str, type Handler } from '../sim-context';
import type { SimVmSnapshot } from '../sim-types';
import { BUSY_VOLUME_STATES } from './volume-rules';

// VMSnapshotManagerImpl: allocVMSnapshot, revertToSnapshot and deleteVMSnapshot with their preconditions.

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export const listVMSnapshot: Handler = (ctx) => {
  const vmId = str(ctx, 'virtualmachineid');
  const id = str(ctx, 'vmsnapshotid');
  const ids = csv(ctx, 'vmsnapshotids');
  const name = str(ctx, 'name');
  const state = str(ctx, 'state');
  const keyword = str(ctx, 'keyword')?.toLowerCase();
  const items = ctx.state.vmSnapshots.filter(
    (s) =>
      (vmId === undefined || s.vmId === vmId) &&
      (id === undefined || s.id === id) &&
      (ids.length === 0 || ids.includes(s.id)) &&
      (name === undefined || s.name === name || s.displayname === name) &&
      (state === undefined || s.state.toLowerCase() === state.toLowerCase()) &&
      (keyword === undefined || `${s.name} ${s.displayname}`.toLowerCase().includes(keyword)),
  );
  // ListVMSnapshotCmd's items are named vmSnapshot (camel case), unlike the job result's vmsnapshot.
  return listResponse(
    ctx,
    'vmSnapshot',
    items.map((s) => renderVmSnapshot(ctx.state, s)),
  );
};

/** Create-type command: checked now, listed at once in state Allocated; the job copies every volume. */
export const createVMSnapshot: Handler = (ctx) => {
  const { state } = ctx;
  const vm = must(findVm(ctx, 'virtualmachineid'));
  const memory = bool(ctx, 'snapshotmemory') ?? false;
  if (vm.state !== 'Running' && vm.state !== 'Stopped')
    throw invalidParameter(`Creating VM snapshot failed due to VM:${vm.id} is not in the running or Stopped state`);
  if (memory && vm.state !== 'Running')
    throw invalidParameter('Can not snapshot memory when VM is not in Running state');
  const volumes = state.volumes.filter((v) => v.vmId === vm.id);
  if (volumes.some((v) => BUSY_VOLUME_STATES.includes(v.state)))
    throw new SimApiError(
      530,
      'There is other active volume snapshot tasks on the instance to which the volume is attached, please try again later',
      4250,
    );
  if (state.vmSnapshots.some((s) => s.vmId === vm.id && ['Allocated', 'Creating', 'Reverting'].includes(s.state)))
    throw new SimApiError(530, 'There is other active vm snapshot tasks on the instance, please try again later', 4250);
  const id = ctx.newId();
  const generated = `${instanceName(vm)}_VS_${timestamp(ctx.now())}`;
  const parent = state.vmSnapshots.find((s) => s.vmId === vm.id && s.current);
  const snapshot: SimVmSnapshot = {
    id,
    name: generated,
    displayname: str(ctx, 'name') ?? generated,
    vmId: vm.id,
    zoneid: vm.zoneid,
    type: memory ? 'DiskAndMemory' : 'Disk',
    state: 'Allocated',
    current: false,
    created: csDate(ctx.now()),
    files: volumes.map((v) => ({ volumeId: v.id, file: `vmsnapshots/${id}/${v.id}.img` })),
  };
  const description = str(ctx, 'description');
  if (description !== undefined) snapshot.description = description;
  if (parent) snapshot.parentId = parent.id;
  const undo = new UndoRecorder(state).vmSnapshot(id);
  if (parent) undo.vmSnapshot(parent.id);
  state.vmSnapshots.push(snapshot);
  const job = ctx.submitJob({
    instanceType: 'VmSnapshot',
    instanceId: id,
    action: { kind: 'createVmSnapshot', vmSnapshotId: id },
    undo: undo.undo,
  });
  return { jobid: job.jobid, id };
};

/** A running VM reverts only to a snapshot with memory, a stopped one only to a disk-only snapshot. */
export const revertToVMSnapshot: Handler = (ctx) => {
  const snapshot = must(findVmSnapshot(ctx, 'vmsnapshotid'));
  if (snapshot.state !== 'Ready')
    throw invalidParameter(`VM Snapshot ${snapshot.name} is not in Ready state, unable to revert to it`);
  const vm = ctx.state.vms.find((v) => v.id === snapshot.vmId);
  if (!vm) throw invalidParameter(`Unable to find the VM of VM snapshot ${snapshot.id}`);
  if (vm.state !== 'Running' && vm.state !== 'Stopped')
    throw invalidParameter('VM Snapshot reverting failed due to vm is not in the state of Running or Stopped.');
  if ((vm.state === 'Running') !== (snapshot.type === 'DiskAndMemory'))
    throw invalidParameter(
      'VM Snapshot revert not allowed. This will result in VM state change. You can only revert running VM to disk and memory type snapshot and stopped VM to disk type snapshot',
    );
  const undo = new UndoRecorder(ctx.state).vmSnapshot(snapshot.id).vm(vm.id);
  for (const s of ctx.state.vmSnapshots.filter((s) => s.vmId === vm.id && s.current)) undo.vmSnapshot(s.id);
  snapshot.state = 'Reverting';
  const job = ctx.submitJob({
    instanceType: 'VmSnapshot',
    instanceId: snapshot.id,
    action: { kind: 'revertToVmSnapshot', vmSnapshotId: snapshot.id },
    undo: undo.undo,
  });
  return { jobid: job.jobid };
};

export const deleteVMSnapshot: Handler = (ctx) => {
  const snapshot = must(findVmSnapshot(ctx, 'vmsnapshotid'));
  if (!['Ready', 'Expunging', 'Error'].includes(snapshot.state))
    throw invalidParameter(
      `Can't delete the vm snapshot ${snapshot.id} due to it is not in Created or Error, or Expunging State`,
    );
  const undo = new UndoRecorder(ctx.state);
  for (const s of ctx.state.vmSnapshots.filter((s) => s.vmId === snapshot.vmId)) undo.vmSnapshot(s.id);
  snapshot.state = 'Expunging';
  const job = ctx.submitJob({
    instanceType: 'VmSnapshot',
    instanceId: snapshot.id,
    action: { kind: 'deleteVmSnapshot', vmSnapshotId: snapshot.id },
    undo: undo.undo,
  });
  return { jobid: job.jobid };
};
