import { SimApiError } from './api-error';
import type { ActionEnv } from './job-actions';
import { renderVm, renderVmSnapshot } from './render';
import type { ApiObject, SimState, SimVmSnapshot } from './sim-types';

// What VM snapshot jobs do once their latency has passed: copy the VM's volumes, copy them back, drop them.

function vmSnapshotOf(state: SimState, id: string): SimVmSnapshot {
  const snapshot = state.vmSnapshots.find((s) => s.id === id);
  if (!snapshot) throw new SimApiError(530, `VM snapshot ${id} disappeared while its job ran`, 4250);
  return snapshot;
}

function makeCurrent(state: SimState, snapshot: SimVmSnapshot): void {
  for (const other of state.vmSnapshots.filter((s) => s.vmId === snapshot.vmId)) other.current = false;
  snapshot.current = true;
}

export async function createVmSnapshot(env: ActionEnv, id: string): Promise<ApiObject> {
  const snapshot = vmSnapshotOf(env.state, id);
  for (const { volumeId, file } of snapshot.files) {
    const volume = env.state.volumes.find((v) => v.id === volumeId);
    if (!volume) throw new SimApiError(530, `Volume ${volumeId} disappeared while its VM snapshot ran`, 4250);
    await env.files.copySparse(volume.file, file);
  }
  snapshot.state = 'Ready';
  makeCurrent(env.state, snapshot);
  return { vmsnapshot: renderVmSnapshot(env.state, snapshot) };
}

/** Copies every volume back (same inode, so by-id links stay valid); memory snapshots leave the VM running. */
export async function revertToVmSnapshot(env: ActionEnv, id: string): Promise<ApiObject> {
  const snapshot = vmSnapshotOf(env.state, id);
  const vm = env.state.vms.find((v) => v.id === snapshot.vmId);
  if (!vm) throw new SimApiError(530, `VM ${snapshot.vmId} disappeared while its VM snapshot revert ran`, 4250);
  for (const { volumeId, file } of snapshot.files) {
    const volume = env.state.volumes.find((v) => v.id === volumeId);
    if (volume) await env.files.copySparse(file, volume.file);
  }
  snapshot.state = 'Ready';
  makeCurrent(env.state, snapshot);
  vm.state = snapshot.type === 'DiskAndMemory' ? 'Running' : 'Stopped';
  return { virtualmachine: renderVm(env.state, vm) };
}

/** Children move up to the deleted snapshot's parent; if it was current, its parent becomes current. */
export async function deleteVmSnapshot(env: ActionEnv, id: string): Promise<ApiObject> {
  const { state } = env;
  const snapshot = state.vmSnapshots.find((s) => s.id === id);
  if (!snapshot) return { success: true };
  await removeVmSnapshot(env, snapshot);
  return { success: true };
}

export async function removeVmSnapshot(env: ActionEnv, snapshot: SimVmSnapshot): Promise<void> {
  const { state } = env;
  for (const child of state.vmSnapshots.filter((s) => s.parentId === snapshot.id)) {
    if (snapshot.parentId === undefined) delete child.parentId;
    else child.parentId = snapshot.parentId;
  }
  const parent = state.vmSnapshots.find((s) => s.id === snapshot.parentId);
  if (snapshot.current && parent) parent.current = true;
  for (const { file } of snapshot.files) await env.files.remove(file);
  state.vmSnapshots.splice(state.vmSnapshots.indexOf(snapshot), 1);
}
