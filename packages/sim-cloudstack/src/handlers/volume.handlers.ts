import { invalidParameter } from '../api-error';
import { csDate, renderVolume } from '../render';
import {
  UndoRecorder,
  bool,
  commonFilter,
  findCatalogue,
  findSnapshot,
  findVm,
  findVolume,
  listResponse,
  long,
  must,
  str,
  type Handler,
  type HandlerContext,
} from '../sim-context';
import type { ApiObject, SimVolume } from '../sim-types';
import { BUSY_VOLUME_STATES, checkAttach, checkDetach } from './volume-rules';

const GIB = 1024 ** 3;
const MAX_CUSTOM_GIB = 1024;

export const listVolumes: Handler = (ctx) => {
  const vmId = str(ctx, 'virtualmachineid');
  const type = str(ctx, 'type')?.toUpperCase();
  const zoneid = str(ctx, 'zoneid');
  const volumes = commonFilter(ctx, ctx.state.volumes, (v) => ({ id: v.id, name: v.name })).filter(
    (v) =>
      (vmId === undefined || v.vmId === vmId) &&
      (type === undefined || v.type === type) &&
      (zoneid === undefined || v.zoneid === zoneid),
  );
  return listResponse(
    ctx,
    'volume',
    volumes.map((v) => renderVolume(ctx.state, v)),
  );
};

function sizeFromOffering(ctx: HandlerContext, offering: ApiObject, size: number | undefined): number {
  if (offering.iscustomized === true) {
    if (size === undefined) throw invalidParameter('This disk offering requires a custom size specified');
    if (size < 1 || size > MAX_CUSTOM_GIB)
      throw invalidParameter(`Invalid size for custom volume creation: ${size} ,max volume size is:${MAX_CUSTOM_GIB}`);
    return size * GIB;
  }
  if (size !== undefined && ctx.command === 'createVolume')
    throw invalidParameter('This disk offering does not allow custom size');
  return Number(offering.disksize) * GIB;
}

/** Create-type command: validated now; the volume is listed at once (Allocated: no storage until attached). */
export const createVolume: Handler = (ctx) => {
  const { state } = ctx;
  const offering = findCatalogue(ctx, 'diskofferingid', state.diskOfferings);
  const snapshot = findSnapshot(ctx, 'snapshotid');
  const vm = findVm(ctx, 'virtualmachineid');
  if (!offering && !snapshot)
    throw invalidParameter('Either disk Offering Id or snapshot Id must be passed whilst creating volume');
  const zone = findCatalogue(ctx, 'zoneid', state.zones);
  const zoneid = zone ? String(zone.id) : (snapshot?.zoneid ?? vm?.zoneid);
  if (zoneid === undefined) throw invalidParameter('Please specify a valid zone.');
  const sizeBytes = snapshot ? snapshot.sizeBytes : sizeFromOffering(ctx, must(offering), long(ctx, 'size'));
  const id = ctx.newId();
  const dbId = state.nextDbId++;
  const volume: SimVolume = {
    id,
    dbId,
    name: str(ctx, 'name') ?? `vol-${dbId}`,
    type: 'DATADISK',
    state: 'Allocated',
    sizeBytes,
    zoneid,
    created: csDate(ctx.now()),
    file: `volumes/${id}.img`,
  };
  if (offering) volume.diskofferingid = String(offering.id);
  let attachTo: { vmId: string; deviceId: number } | undefined;
  if (vm) {
    attachTo = { vmId: vm.id, deviceId: checkAttach(state, volume, vm, undefined) };
    volume.vmId = vm.id;
    volume.deviceId = attachTo.deviceId;
  }
  const undo = new UndoRecorder(state).volume(id);
  state.volumes.push(volume);
  const job = ctx.submitJob({
    instanceType: 'Volume',
    instanceId: id,
    action: {
      kind: 'createVolume',
      volumeId: id,
      ...(attachTo ? { attachTo } : {}),
      ...(snapshot ? { fromSnapshotId: snapshot.id } : {}),
    },
    undo: undo.undo,
  });
  return { jobid: job.jobid, id };
};

export const attachVolume: Handler = (ctx) => {
  const volume = must(findVolume(ctx, 'id'));
  const vm = must(findVm(ctx, 'virtualmachineid'));
  const deviceId = checkAttach(ctx.state, volume, vm, long(ctx, 'deviceid'));
  const undo = new UndoRecorder(ctx.state).volume(volume.id);
  volume.vmId = vm.id;
  volume.deviceId = deviceId;
  volume.state = 'Attaching';
  const job = ctx.submitJob({
    instanceType: 'Volume',
    instanceId: volume.id,
    action: { kind: 'attach', volumeId: volume.id, vmId: vm.id, deviceId },
    undo: undo.undo,
  });
  return { jobid: job.jobid };
};

export const detachVolume: Handler = (ctx) => {
  let volume = findVolume(ctx, 'id');
  if (!volume) {
    const vm = findVm(ctx, 'virtualmachineid');
    const deviceId = long(ctx, 'deviceid');
    if (!vm || deviceId === undefined)
      throw invalidParameter('Please provide either a volume id, or a tuple(device id, instance id)');
    volume = ctx.state.volumes.find((v) => v.vmId === vm.id && v.deviceId === deviceId);
    if (!volume) throw invalidParameter(`Unable to find volume with device id ${deviceId} on vm ${vm.name}`);
  }
  const target = volume;
  const vm = checkDetach(
    ctx.state,
    target,
    ctx.state.vms.find((v) => v.id === target.vmId),
  );
  const job = ctx.submitJob({
    instanceType: 'Volume',
    instanceId: target.id,
    action: { kind: 'detach', volumeId: target.id, vmId: vm.id },
    undo: new UndoRecorder(ctx.state).volume(target.id).undo,
  });
  return { jobid: job.jobid };
};

export const resizeVolume: Handler = (ctx) => {
  const volume = must(findVolume(ctx, 'id'));
  const offering = findCatalogue(ctx, 'diskofferingid', ctx.state.diskOfferings);
  const size = long(ctx, 'size');
  if (volume.state !== 'Ready' && volume.state !== 'Allocated')
    throw invalidParameter(
      `Volume should be in ready or allocated state before attempting a resize. Volume ${volume.name} is in state ${volume.state}.`,
    );
  const sizeBytes = offering ? sizeFromOffering(ctx, offering, size) : size !== undefined ? size * GIB : undefined;
  if (sizeBytes === undefined) throw invalidParameter('No new size or disk offering was specified for the resize');
  if (sizeBytes < volume.sizeBytes && bool(ctx, 'shrinkok') !== true)
    throw invalidParameter(
      `Going from existing size of ${volume.sizeBytes} to size of ${sizeBytes} would shrink the volume. Need to sign off by supplying the shrinkok parameter with value of true.`,
    );
  const undo = new UndoRecorder(ctx.state).volume(volume.id);
  const previous = volume.state;
  volume.state = 'Resizing';
  const job = ctx.submitJob({
    instanceType: 'Volume',
    instanceId: volume.id,
    action: { kind: 'resize', volumeId: volume.id, sizeBytes, finalState: previous },
    undo: undo.undo,
  });
  return { jobid: job.jobid };
};

/** Synchronous; the volume must be detached. Its snapshots stay, as in CloudStack. */
export const deleteVolume: Handler = async (ctx) => {
  const volume = must(findVolume(ctx, 'id'));
  if (volume.vmId !== undefined) throw invalidParameter('Please specify a volume that is not attached to any VM.');
  if (BUSY_VOLUME_STATES.includes(volume.state))
    throw invalidParameter(`Volume ${volume.name} is in ${volume.state} state, it cannot be deleted now`);
  ctx.state.volumes.splice(ctx.state.volumes.indexOf(volume), 1);
  await ctx.files.unlink(volume.id);
  await ctx.files.remove(volume.file);
  return { success: true };
};
