import { SimApiError, cloudRuntime, invalidParameter } from '../api-error';
import type { SimState, SimVm, SimVolume } from '../sim-types';

// VolumeApiServiceImpl's attach/detach preconditions, with its messages.

export const BUSY_VOLUME_STATES = ['Attaching', 'Snapshotting', 'RevertSnapshotting', 'Resizing', 'Creating'];

function validateRootVolumeDetachAttach(vm: SimVm): void {
  if (vm.state !== 'Stopped' && vm.state !== 'Destroyed')
    throw invalidParameter('Root volume detach can happen only when vm is in states: Stopped or Destroyed');
}

/** Device ids run 1..limit+1; 3 is the CD-ROM; 0 only through the ROOT path. */
export function chooseDeviceId(state: SimState, vm: SimVm, requested: number | undefined): number {
  const maxDeviceId = state.limits.maxDataVolumesLimit + 1;
  const used = new Set(state.volumes.filter((v) => v.vmId === vm.id).map((v) => v.deviceId));
  if (requested === 0) return 0;
  if (requested !== undefined) {
    if (requested < 0 || requested > maxDeviceId || requested === 3)
      throw cloudRuntime(`deviceId should be 1,2,4-${maxDeviceId}`);
    if (used.has(requested)) throw cloudRuntime(`deviceId ${requested} is used by vm ${vm.dbId}`);
    return requested;
  }
  for (let id = 1; id <= maxDeviceId; id++) if (id !== 3 && !used.has(id)) return id;
  throw cloudRuntime(`All device Ids are used by vm ${vm.dbId}`);
}

/** Checks attachVolume in the order CloudStack does and returns the device id to use. */
export function checkAttach(state: SimState, volume: SimVolume, vm: SimVm, deviceId: number | undefined): number {
  if (volume.type !== 'ROOT' && volume.type !== 'DATADISK')
    throw invalidParameter('Please specify a volume with the valid type: ROOT or DATADISK');
  if (volume.vmId !== undefined) throw invalidParameter('Please specify a volume that is not attached to any VM.');
  if (volume.state === 'Destroy') throw invalidParameter('Please specify a volume that is not destroyed.');
  if (vm.state !== 'Running' && vm.state !== 'Stopped')
    throw invalidParameter('Please specify a VM that is either running or stopped.');
  if (vm.zoneid !== volume.zoneid)
    throw invalidParameter('Please specify a VM that is in the same zone as the volume.');
  if (state.vmSnapshots.some((s) => s.vmId === vm.id))
    throw invalidParameter('Unable to attach volume, please specify a VM that does not have VM snapshots');
  if (deviceId === 0) {
    validateRootVolumeDetachAttach(vm);
    if (state.volumes.some((v) => v.vmId === vm.id && v.deviceId === 0))
      throw invalidParameter('Vm already has root volume attached to it');
  } else {
    const limit = state.limits.maxDataVolumesLimit;
    const dataVolumes = state.volumes.filter((v) => v.vmId === vm.id && v.type === 'DATADISK').length;
    if (dataVolumes >= limit)
      throw invalidParameter(
        `The specified VM already has the maximum number of data disks (${limit}) attached. Please specify another VM.`,
      );
  }
  if (volume.state !== 'Allocated' && volume.state !== 'Ready')
    throw invalidParameter('Volume state must be in Allocated, Ready or in Uploaded state');
  return chooseDeviceId(state, vm, deviceId);
}

export function checkDetach(state: SimState, volume: SimVolume, vm: SimVm | undefined): SimVm {
  if (vm === undefined) throw invalidParameter('The specified volume is not attached to a VM.');
  if (state.vmSnapshots.some((s) => s.vmId === vm.id))
    throw invalidParameter('Unable to detach volume, please specify a VM that does not have VM snapshots');
  if (vm.state !== 'Running' && vm.state !== 'Stopped' && vm.state !== 'Destroyed')
    throw invalidParameter('Please specify a VM that is either running or stopped.');
  if (volume.type !== 'ROOT' && volume.type !== 'DATADISK')
    throw invalidParameter('Please specify volume of type DATADISK or ROOT');
  if (volume.type === 'ROOT') validateRootVolumeDetachAttach(vm);
  if (BUSY_VOLUME_STATES.includes(volume.state))
    throw new SimApiError(530, `Volume ${volume.name} is busy (${volume.state}); try again when it is Ready`, 4300);
  return vm;
}
