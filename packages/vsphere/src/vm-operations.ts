// VM operations the agent runs: CBT, snapshots, changed-area queries, and power (with a graceful path).
import { type Clock, MigrateKitError, systemClock } from '@migratekit/core';
import { retrieveObject } from './property-collector';
import { InvalidStateError, VimFaultError } from './soap/vim-faults';
import type { VimSession } from './soap/vim-session';
import { type TaskInfo, waitForTask, type WaitForTaskOptions } from './tasks';
import { type ChangedArea, moRef, type MoRef, parseDiskChangeInfo, parseMoRef } from './vim-types';
import { textOf } from '@migratekit/node-common';
import { parseVmDevices, type VirtualDiskInfo } from './vm-devices';
import { leaf, moRefElement, node } from './xml/xml-writer';
import type { PowerState } from './vm-details';

async function runTask(
  session: VimSession,
  method: string,
  self: MoRef,
  params: Parameters<VimSession['call']>[2],
  wait: WaitForTaskOptions,
): Promise<TaskInfo> {
  const task = parseMoRef(await session.call(method, self, params));
  if (task === undefined) throw new MigrateKitError('MKE_UPSTREAM_ERROR', { message: `${method} returned no task` });
  return waitForTask(session, task, wait);
}

/** ReconfigVM_Task with changeTrackingEnabled. On a running VM it takes effect at the next snapshot. */
export async function setChangeTracking(
  session: VimSession,
  vm: MoRef,
  enabled: boolean,
  wait: WaitForTaskOptions = {},
): Promise<void> {
  await runTask(session, 'ReconfigVM_Task', vm, [node('spec', [leaf('changeTrackingEnabled', enabled)])], wait);
}

export interface CreateSnapshotOptions {
  name: string;
  description?: string;
  /** Include the VM's memory (slow, not needed for disk replication). */
  memory?: boolean;
  /** Ask VMware Tools to quiesce the guest file systems. */
  quiesce?: boolean;
}

export async function createSnapshot(
  session: VimSession,
  vm: MoRef,
  options: CreateSnapshotOptions,
  wait: WaitForTaskOptions = {},
): Promise<MoRef> {
  const info = await runTask(
    session,
    'CreateSnapshot_Task',
    vm,
    [
      leaf('name', options.name),
      leaf('description', options.description ?? ''),
      leaf('memory', options.memory ?? false),
      leaf('quiesce', options.quiesce ?? false),
    ],
    wait,
  );
  const snapshot = parseMoRef(info.result);
  if (snapshot === undefined) {
    throw new MigrateKitError('MKE_UPSTREAM_ERROR', { message: 'CreateSnapshot_Task returned no snapshot reference' });
  }
  return { type: 'VirtualMachineSnapshot', value: snapshot.value };
}

export interface RemoveSnapshotOptions {
  removeChildren?: boolean;
  consolidate?: boolean;
}

export async function removeSnapshot(
  session: VimSession,
  snapshot: MoRef,
  options: RemoveSnapshotOptions = {},
  wait: WaitForTaskOptions = {},
): Promise<void> {
  await runTask(
    session,
    'RemoveSnapshot_Task',
    snapshot,
    [leaf('removeChildren', options.removeChildren ?? false), leaf('consolidate', options.consolidate ?? true)],
    wait,
  );
}

/** Sorts and merges overlapping or touching areas. */
export function mergeChangedAreas(areas: readonly ChangedArea[]): ChangedArea[] {
  const sorted = areas.filter((a) => a.length > 0).sort((a, b) => a.start - b.start);
  const merged: ChangedArea[] = [];
  for (const area of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && area.start <= last.start + last.length) {
      last.length = Math.max(last.length, area.start + area.length - last.start);
    } else {
      merged.push({ start: area.start, length: area.length });
    }
  }
  return merged;
}

export interface ChangedDiskAreasQuery {
  vm: MoRef;
  snapshot: MoRef;
  /** The disk's device key (2000 for "disk-2000"). */
  deviceKey: number;
  /** "*" for every allocated area, else the change id recorded by the previous run. */
  changeId: string;
  capacityBytes: number;
}

export interface ChangedDiskAreas {
  areas: ChangedArea[];
  /** Sum of the merged areas' lengths: the bytes to copy. */
  totalBytes: number;
  /** Number of QueryChangedDiskAreas calls it took. */
  calls: number;
}

/**
 * QueryChangedDiskAreas from offset 0, continuing at startOffset + length of each answer until the end of
 * the disk (vCenter answers in windows). A change id vCenter no longer accepts raises FileFaultError (or
 * InvalidArgumentError), which the caller turns into a full copy of that disk.
 */
export async function queryChangedDiskAreas(
  session: VimSession,
  query: ChangedDiskAreasQuery,
): Promise<ChangedDiskAreas> {
  const areas: ChangedArea[] = [];
  let offset = 0;
  let calls = 0;
  while (offset < query.capacityBytes) {
    const result = await session.call('QueryChangedDiskAreas', query.vm, [
      moRefElement('snapshot', query.snapshot),
      leaf('deviceKey', query.deviceKey),
      leaf('startOffset', offset),
      leaf('changeId', query.changeId),
    ]);
    calls += 1;
    if (result === undefined) break;
    const info = parseDiskChangeInfo(result);
    areas.push(...info.changedArea);
    const next = info.startOffset + info.length;
    // A window that does not advance would loop forever; vCenter never sends one, a broken peer might.
    if (next <= offset) break;
    offset = next;
  }
  const merged = mergeChangedAreas(areas);
  return { areas: merged, totalBytes: merged.reduce((sum, a) => sum + a.length, 0), calls };
}

export async function powerOn(session: VimSession, vm: MoRef, wait: WaitForTaskOptions = {}): Promise<void> {
  await runTask(session, 'PowerOnVM_Task', vm, [], wait);
}

export async function powerOff(session: VimSession, vm: MoRef, wait: WaitForTaskOptions = {}): Promise<void> {
  await runTask(session, 'PowerOffVM_Task', vm, [], wait);
}

export async function getPowerState(session: VimSession, vm: MoRef): Promise<PowerState> {
  const content = await retrieveObject(session, vm, ['runtime.powerState']);
  const state = textOf(content.props.get('runtime.powerState'))?.trim();
  if (state === 'poweredOn' || state === 'suspended' || state === 'poweredOff') return state;
  throw new MigrateKitError('MKE_UPSTREAM_ERROR', { message: `VM ${vm.value} reported no power state` });
}

export interface ShutdownOptions {
  clock?: Clock;
  /** How long the guest gets to shut down before a hard power-off; default 5 minutes. */
  timeoutMs?: number;
  /** How often the power state is read while the guest shuts down; default a twentieth of the timeout, 0.1-2 s. */
  pollMs?: number;
  wait?: WaitForTaskOptions;
}

export type ShutdownOutcome = 'already-off' | 'guest-shutdown' | 'hard-power-off';

/** ShutdownGuest, wait for poweredOff up to the timeout, then PowerOffVM_Task. */
export async function shutdownVm(
  session: VimSession,
  vm: MoRef,
  options: ShutdownOptions = {},
): Promise<ShutdownOutcome> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  // Every 2 s, or more often for a short timeout: a poll as long as the timeout would always end in a power-off.
  const pollMs = options.pollMs ?? Math.min(2_000, Math.max(100, Math.floor(timeoutMs / 20)));
  if ((await getPowerState(session, vm)) === 'poweredOff') return 'already-off';
  try {
    await session.call('ShutdownGuest', vm, []);
  } catch (error) {
    // ToolsUnavailable and friends: the guest cannot be asked, so power off straight away.
    if (!(error instanceof VimFaultError)) throw error;
    if (error instanceof InvalidStateError && (await getPowerState(session, vm)) === 'poweredOff') return 'already-off';
    session.logger.warn({ vm: vm.value, fault: error.faultType }, 'vsphere guest shutdown refused; powering off');
    await powerOff(session, vm, options.wait);
    return 'hard-power-off';
  }
  const deadline = clock.now().getTime() + timeoutMs;
  for (;;) {
    if ((await getPowerState(session, vm)) === 'poweredOff') return 'guest-shutdown';
    if (clock.now().getTime() >= deadline) break;
    await clock.sleep(pollMs);
  }
  session.logger.warn({ vm: vm.value, timeoutMs }, 'vsphere guest did not shut down in time; powering off');
  try {
    await powerOff(session, vm, options.wait);
  } catch (error) {
    // The guest may have finished shutting down between the last poll and the power-off.
    if (error instanceof InvalidStateError && (await getPowerState(session, vm)) === 'poweredOff')
      return 'guest-shutdown';
    throw error;
  }
  return 'hard-power-off';
}

/** SearchIndex.FindByUuid with instanceUuid=true; undefined when no VM has that instance UUID. */
export async function findVmByInstanceUuid(session: VimSession, instanceUuid: string): Promise<MoRef | undefined> {
  const searchIndex = session.serviceContent.searchIndex;
  if (searchIndex === undefined)
    throw new MigrateKitError('MKE_NOT_IMPLEMENTED', { message: 'vCenter has no SearchIndex' });
  const result = await session.call('FindByUuid', searchIndex, [
    leaf('uuid', instanceUuid),
    leaf('vmSearch', true),
    leaf('instanceUuid', true),
  ]);
  const ref = parseMoRef(result);
  return ref === undefined ? undefined : moRef('VirtualMachine', ref.value);
}

/**
 * The disks as frozen in a snapshot (VirtualMachineSnapshot.config.hardware.device). Their changeId is the one
 * to record for the next incremental run: it names exactly the state that was copied.
 */
export async function getSnapshotDisks(session: VimSession, snapshot: MoRef): Promise<VirtualDiskInfo[]> {
  const content = await retrieveObject(session, snapshot, ['config.hardware.device']);
  return parseVmDevices(content.props.get('config.hardware.device')).disks;
}
