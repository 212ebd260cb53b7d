import { SimApiError } from './api-error';
import { csDate, renderSnapshot, renderVm, renderVolume } from './render';
import type { ApiObject, JobAction, SimState, SimVm, SimVolume } from './sim-types';
import type { VolumeFiles } from './volume-files';
import { createVmSnapshot, deleteVmSnapshot, removeVmSnapshot, revertToVmSnapshot } from './vm-snapshot-actions';

export interface ActionEnv {
  state: SimState;
  files: VolumeFiles;
  now(): Date;
}

function volumeOf(state: SimState, id: string): SimVolume {
  const volume = state.volumes.find((v) => v.id === id);
  if (!volume) throw new SimApiError(530, `Volume ${id} disappeared while its job ran`, 4250);
  return volume;
}

function isServerVm(state: SimState, vmId: string | undefined): boolean {
  return state.vms.some((vm) => vm.id === vmId && vm.isServer === true);
}

/** Gives the volume storage if it has none, marks it attached and, on the server VM, creates its by-id link. */
async function finishAttach(env: ActionEnv, volume: SimVolume, vmId: string, deviceId: number): Promise<void> {
  await env.files.ensure(volume.file, volume.sizeBytes);
  volume.vmId = vmId;
  volume.deviceId = deviceId;
  volume.state = 'Ready';
  volume.attached = csDate(env.now());
  if (deviceId === 0) volume.type = 'ROOT';
  if (isServerVm(env.state, vmId)) await env.files.link(volume.id, volume.file);
}

async function finishDetach(env: ActionEnv, volume: SimVolume): Promise<void> {
  await env.files.unlink(volume.id);
  delete volume.vmId;
  delete volume.deviceId;
  delete volume.attached;
  if (volume.type === 'ROOT') volume.type = 'DATADISK';
}

async function deleteVolumeRecord(env: ActionEnv, volume: SimVolume): Promise<void> {
  await env.files.unlink(volume.id);
  await env.files.remove(volume.file);
  env.state.volumes.splice(env.state.volumes.indexOf(volume), 1);
}

const GUEST_VLANS = { first: 1000, last: 4094 };

/**
 * A VM starting on an Isolated network that is still Allocated implements it, as NetworkOrchestrator does:
 * the network gets a guest VLAN from the zone's range and turns Implemented. Deploying with startvm=false
 * leaves it Allocated.
 */
function implementNetworks(state: SimState, vm: SimVm): void {
  for (const nic of vm.nics) {
    const network = state.networks.find((n) => n.id === nic.networkid);
    if (!network || network.state !== 'Allocated') continue;
    const used = new Set(state.networks.filter((n) => n.zoneid === network.zoneid).map((n) => Number(n.vlan)));
    let vlan = GUEST_VLANS.first;
    while (used.has(vlan) && vlan < GUEST_VLANS.last) vlan++;
    network.vlan = String(vlan);
    network.broadcasturi = `vlan://${vlan}`;
    network.state = 'Implemented';
  }
}

/** Does what the job does once its latency has passed; returns the job result object. */
export async function completeAction(env: ActionEnv, action: JobAction): Promise<ApiObject> {
  const { state } = env;
  switch (action.kind) {
    case 'fail':
      throw new SimApiError(action.errorcode, action.errortext);
    case 'deploy':
    case 'start':
    case 'reboot':
    case 'stop': {
      const vm = state.vms.find((v) => v.id === action.vmId);
      if (!vm) throw new SimApiError(530, `VM ${action.vmId} disappeared while its job ran`, 4250);
      if (action.kind === 'deploy') {
        for (const volume of state.volumes.filter((v) => v.vmId === vm.id && v.state === 'Allocated')) {
          await env.files.ensure(volume.file, volume.sizeBytes);
          volume.state = 'Ready';
        }
      }
      // A reboot restarts the guest in place: the VM stays Running (on the same host).
      vm.state = action.kind === 'stop' || (action.kind === 'deploy' && !action.start) ? 'Stopped' : 'Running';
      if (vm.state === 'Running') implementNetworks(state, vm);
      return { virtualmachine: renderVm(state, vm) };
    }
    case 'destroy': {
      const vm = state.vms.find((v) => v.id === action.vmId);
      if (!vm) throw new SimApiError(530, `VM ${action.vmId} disappeared while its job ran`, 4250);
      for (const volume of state.volumes.filter((v) => v.vmId === vm.id)) {
        if (volume.type === 'ROOT') {
          if (action.expunge) await deleteVolumeRecord(env, volume);
          else volume.state = 'Destroy';
        } else if (action.volumeIds.includes(volume.id)) await deleteVolumeRecord(env, volume);
        else await finishDetach(env, volume);
      }
      vm.state = action.expunge ? 'Expunging' : 'Destroyed';
      const rendered = renderVm(state, vm);
      if (action.expunge) {
        // Expunging a VM deletes its VM snapshots (VMSnapshotManager.deleteAllVMSnapshots).
        for (const snapshot of state.vmSnapshots.filter((s) => s.vmId === vm.id)) await removeVmSnapshot(env, snapshot);
        state.vms.splice(state.vms.indexOf(vm), 1);
      }
      return { virtualmachine: rendered };
    }
    case 'createVolume': {
      const volume = volumeOf(state, action.volumeId);
      if (action.fromSnapshotId !== undefined) {
        const snapshot = state.snapshots.find((s) => s.id === action.fromSnapshotId);
        if (!snapshot) throw new SimApiError(530, `Snapshot ${action.fromSnapshotId} disappeared`, 4250);
        await env.files.copySparse(snapshot.file, volume.file);
        volume.state = 'Ready';
      }
      if (action.attachTo) await finishAttach(env, volume, action.attachTo.vmId, action.attachTo.deviceId);
      return { volume: renderVolume(state, volume) };
    }
    case 'attach': {
      const volume = volumeOf(state, action.volumeId);
      await finishAttach(env, volume, action.vmId, action.deviceId);
      return { volume: renderVolume(state, volume) };
    }
    case 'detach': {
      const volume = volumeOf(state, action.volumeId);
      await finishDetach(env, volume);
      return { volume: renderVolume(state, volume) };
    }
    case 'resize': {
      const volume = volumeOf(state, action.volumeId);
      if (action.finalState === 'Ready') await env.files.resize(volume.file, action.sizeBytes);
      volume.sizeBytes = action.sizeBytes;
      volume.state = action.finalState;
      return { volume: renderVolume(state, volume) };
    }
    case 'createSnapshot': {
      const snapshot = state.snapshots.find((s) => s.id === action.snapshotId);
      if (!snapshot) throw new SimApiError(530, `Snapshot ${action.snapshotId} disappeared`, 4250);
      const volume = volumeOf(state, snapshot.volumeId);
      await env.files.copySparse(volume.file, snapshot.file);
      snapshot.state = 'BackedUp';
      volume.state = 'Ready';
      return { snapshot: renderSnapshot(state, snapshot) };
    }
    case 'revertSnapshot': {
      const snapshot = state.snapshots.find((s) => s.id === action.snapshotId);
      if (!snapshot) throw new SimApiError(530, `Snapshot ${action.snapshotId} disappeared`, 4250);
      const volume = volumeOf(state, snapshot.volumeId);
      await env.files.copySparse(snapshot.file, volume.file);
      volume.sizeBytes = snapshot.sizeBytes;
      volume.state = 'Ready';
      return { snapshot: renderSnapshot(state, snapshot) };
    }
    case 'createVmSnapshot':
      return createVmSnapshot(env, action.vmSnapshotId);
    case 'revertToVmSnapshot':
      return revertToVmSnapshot(env, action.vmSnapshotId);
    case 'deleteVmSnapshot':
      return deleteVmSnapshot(env, action.vmSnapshotId);
    case 'deleteSnapshot': {
      const snapshot = state.snapshots.find((s) => s.id === action.snapshotId);
      if (snapshot) {
        await env.files.remove(snapshot.file);
        state.snapshots.splice(state.snapshots.indexOf(snapshot), 1);
      }
      return { success: true };
    }
  }
}
