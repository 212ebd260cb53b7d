import { join, dirname } from 'node:path';
import { parseChangeId } from './change-tracker';
import type { ExtentSet } from './extent-set';
import { SimSnapshot } from './sim-vm';
import type { SimVm } from './sim-vm';
import type { VCenterEngine } from './vcenter-engine';
import { faults } from './vim-fault';
import { data } from './vim-value';
import type { DataObject, Mor } from './vim-value';
import { vmConfigInfo } from './vm-properties';

// What the VM methods do: power, guest shutdown, CBT switch, snapshots (copy-on-write layers on every disk)
// and QueryChangedDiskAreas from the change tracker.

export function powerOn(engine: VCenterEngine, vm: SimVm): void {
  if (vm.powerState === 'poweredOn') throw faults.invalidPowerState('poweredOn', vm.powerState);
  vm.powerState = 'poweredOn';
  vm.bootTime = engine.opts.clock.now();
  vm.shuttingDown = false;
  engine.events.vmPoweredOn(vm);
  engine.notify();
}

export function powerOff(engine: VCenterEngine, vm: SimVm): void {
  if (vm.powerState === 'poweredOff') throw faults.invalidPowerState('poweredOff', vm.powerState);
  vm.powerState = 'poweredOff';
  vm.bootTime = undefined;
  vm.shuttingDown = false;
  engine.events.vmPoweredOff(vm);
  engine.notify();
}

/** Asks the guest to shut down; it powers off after the configured delay (unless powered on again first). */
export function shutdownGuest(engine: VCenterEngine, vm: SimVm): void {
  if (vm.powerState !== 'poweredOn') throw faults.invalidPowerState('poweredOff', vm.powerState);
  if (!vm.toolsRunning()) throw faults.toolsUnavailable();
  if (vm.shuttingDown) return;
  vm.shuttingDown = true;
  const boot = vm.bootTime;
  engine.events.vmGuestShutdown(vm);
  engine.notify();
  engine.sleep(engine.opts.guestShutdownDelayMs).then(
    () => {
      if (engine.isClosed || !vm.shuttingDown || vm.bootTime !== boot) return;
      vm.powerState = 'poweredOff';
      vm.bootTime = undefined;
      vm.shuttingDown = false;
      engine.events.vmPoweredOff(vm);
      engine.notify();
    },
    () => undefined, // simulator closed
  );
}

/** RebootGuest / ResetVM_Task: the guest starts again at once (a new boot time). */
export function restart(engine: VCenterEngine, vm: SimVm, viaGuest: boolean): void {
  if (vm.powerState !== 'poweredOn') throw faults.invalidPowerState('poweredOn', vm.powerState);
  if (viaGuest && !vm.toolsRunning()) throw faults.toolsUnavailable();
  vm.bootTime = engine.opts.clock.now();
  vm.shuttingDown = false;
  engine.notify();
}

export interface ReconfigSpec {
  changeTrackingEnabled?: boolean;
  numCPUs?: number;
  memoryMB?: number;
  annotation?: string;
}

export function reconfigure(engine: VCenterEngine, vm: SimVm, spec: ReconfigSpec): void {
  if (spec.changeTrackingEnabled !== undefined && spec.changeTrackingEnabled !== vm.cbtEnabled) {
    vm.cbtEnabled = spec.changeTrackingEnabled;
    // Turning CBT on starts a new tracking session; turning it off forgets every change id.
    for (const d of vm.disks) {
      if (vm.cbtEnabled) d.disk.cbt.enable();
      else d.disk.cbt.disable();
    }
  }
  if (spec.numCPUs !== undefined) vm.cpus = spec.numCPUs;
  if (spec.memoryMB !== undefined) vm.memoryMB = spec.memoryMB;
  if (spec.annotation !== undefined) vm.spec.annotation = spec.annotation;
  vm.changeVersion = engine.opts.clock.now();
  engine.events.vmReconfigured(vm);
  engine.notify();
}

export async function createSnapshot(
  engine: VCenterEngine,
  vm: SimVm,
  name: string,
  description: string,
  quiesce: boolean,
  memory = false,
): Promise<SimSnapshot> {
  const id = engine.registry.nextId('snapshot-');
  const depth = vm.snapshots.length;
  const changeIds = new Map<number, string | undefined>();
  for (const d of vm.disks) {
    const layerPath = join(dirname(d.disk.path), `${id}-${d.key}-cow.raw`);
    changeIds.set(d.key, await d.disk.freeze(id, layerPath, vm.cbtEnabled));
  }
  vm.snapshotSeq += 1;
  const config = vmConfigInfo(vm, (d) => changeIds.get(d.key), depth);
  const snap = new SimSnapshot(
    id,
    vm,
    name,
    description,
    vm.snapshotSeq,
    engine.opts.clock.now(),
    vm.powerState,
    quiesce,
    changeIds,
    config,
  );
  snap.memory = memory && vm.powerState === 'poweredOn';
  snap.parent = vm.currentSnapshot;
  snap.parent?.children.push(snap);
  vm.snapshots.push(snap);
  vm.currentSnapshot = snap;
  engine.registry.add(snap);
  for (const l of engine.snapshotListeners) l.created(snap);
  engine.notify();
  return snap;
}

/**
 * RevertToSnapshot_Task: the disks and configuration return to the snapshot's and it becomes the current
 * snapshot.
 * As on vSphere, a snapshot with memory of a running VM resumes it running (unless `suppressPowerOn`);
 * any other snapshot leaves the VM powered off.
 */
export async function revertToSnapshot(
  engine: VCenterEngine,
  snap: SimSnapshot,
  suppressPowerOn: boolean,
): Promise<void> {
  const vm = snap.vm;
  for (const d of vm.disks) if (d.disk.hasLayer(snap.ref.value)) await d.disk.revertTo(snap.ref.value);
  vm.currentSnapshot = snap;
  // The configuration comes back too (what the simulator lets change: CPUs, memory, annotation).
  const hardware = snap.config.hardware;
  if (hardware && typeof hardware === 'object' && '_type' in hardware) {
    if (typeof hardware.numCPU === 'number') vm.cpus = hardware.numCPU;
    if (typeof hardware.memoryMB === 'number') vm.memoryMB = hardware.memoryMB;
  }
  if (typeof snap.config.annotation === 'string') vm.spec.annotation = snap.config.annotation;
  const on = snap.memory && snap.powerState === 'poweredOn' && !suppressPowerOn;
  if (on && vm.powerState !== 'poweredOn') powerOn(engine, vm);
  if (!on && vm.powerState === 'poweredOn') powerOff(engine, vm);
  vm.changeVersion = engine.opts.clock.now();
  engine.notify();
}

function descendants(s: SimSnapshot): SimSnapshot[] {
  return s.children.flatMap((c) => [c, ...descendants(c)]);
}

export async function removeSnapshot(engine: VCenterEngine, snap: SimSnapshot, removeChildren: boolean): Promise<void> {
  const vm = snap.vm;
  const doomed = removeChildren ? [snap, ...descendants(snap)] : [snap];
  // Newest first, so each layer's saved blocks move down to a layer that still exists.
  doomed.sort((a, b) => vm.snapshots.indexOf(b) - vm.snapshots.indexOf(a));
  for (const s of doomed) {
    for (const l of engine.snapshotListeners) await l.removed(s);
    for (const d of vm.disks) if (d.disk.hasLayer(s.ref.value)) await d.disk.dropLayer(s.ref.value);
    engine.registry.remove(s.ref);
    vm.snapshots.splice(vm.snapshots.indexOf(s), 1);
  }
  const parent = snap.parent;
  if (parent) parent.children.splice(parent.children.indexOf(snap), 1);
  if (!removeChildren) {
    for (const c of snap.children) {
      c.parent = parent;
      parent?.children.push(c);
    }
  }
  if (vm.currentSnapshot && doomed.includes(vm.currentSnapshot)) {
    vm.currentSnapshot = removeChildren ? parent : (vm.snapshots[vm.snapshots.length - 1] ?? parent);
  }
  engine.notify();
}

export function findSnapshot(engine: VCenterEngine, ref: Mor): SimSnapshot {
  const obj = engine.registry.get(ref);
  if (!(obj instanceof SimSnapshot)) throw faults.notFound(ref);
  return obj;
}

export interface ChangedAreasQuery {
  snapshot: SimSnapshot | undefined;
  deviceKey: number;
  startOffset: number;
  changeId: string;
}

export function queryChangedDiskAreas(engine: VCenterEngine, vm: SimVm, q: ChangedAreasQuery): DataObject {
  const d = vm.findDisk(q.deviceKey);
  if (!d) throw faults.invalidArgument('deviceKey');
  if (q.snapshot && q.snapshot.vm !== vm) throw faults.invalidArgument('snapshot');
  // As on vSphere: without a snapshot the disks are read live, which only a powered-off VM allows.
  if (!q.snapshot && vm.powerState !== 'poweredOff') {
    throw faults.invalidState('QueryChangedDiskAreas without a snapshot needs a powered-off virtual machine');
  }
  if (!Number.isInteger(q.startOffset) || q.startOffset < 0 || q.startOffset > d.capacity)
    throw faults.invalidArgument('startOffset');
  const ctkFile = d.fileName.replace(/\.vmdk$/, '-ctk.vmdk');
  if (!vm.cbtEnabled || !d.disk.cbt.enabled) throw faults.fileFault(ctkFile, 'change tracking is not enabled');
  let areas: ExtentSet;
  if (q.changeId === '*') {
    areas = q.snapshot ? d.disk.layerAllocated(q.snapshot.ref.value) : d.disk.allocated;
  } else {
    if (!parseChangeId(q.changeId)) throw faults.invalidArgument('changeId');
    const result = d.disk.cbt.changesSince(q.changeId, q.snapshot?.changeIds.get(d.key));
    if (!result.ok) throw faults.fileFault(ctkFile, result.reason);
    areas = result.changed;
  }
  const all = areas.areas(q.startOffset, d.capacity);
  const page = all.slice(0, engine.opts.maxChangedAreas);
  const last = page[page.length - 1];
  const length =
    page.length < all.length && last ? last.start + last.length - q.startOffset : d.capacity - q.startOffset;
  return data('DiskChangeInfo', {
    startOffset: q.startOffset,
    length,
    changedArea: page.map((a) => data('DiskChangeExtent', { start: a.start, length: a.length })),
  });
}
