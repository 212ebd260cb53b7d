// Everything the agent needs to know about one VM, read in batches: one RetrievePropertiesEx over a
// ContainerView returns these properties for all VMs, and the inventory resolves names and paths.
import type { Inventory } from './inventory';
import type { ObjectContent, PropertyRequest } from './property-collector';
import { type MoRef, parseMoRef, parseSnapshotInfo, type SnapshotInfo } from './vim-types';
import { parseVmDevices, type VirtualDiskInfo, type VirtualNicInfo } from './vm-devices';
import { booleanOf, numberOf, textOf } from '@migratekit/node-common';

const VM_PROPERTY_PATHS = [
  'name',
  'parent',
  'parentVApp',
  'config.instanceUuid',
  'config.uuid',
  'config.template',
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'config.hardware.device',
  'config.guestFullName',
  'config.guestId',
  'config.firmware',
  'config.changeTrackingEnabled',
  'guest.toolsStatus',
  'guest.toolsRunningStatus',
  'guest.guestFullName',
  'runtime.powerState',
  'runtime.connectionState',
  'runtime.host',
  'snapshot',
] as const;

export const VM_REQUEST: PropertyRequest = { type: 'VirtualMachine', paths: VM_PROPERTY_PATHS };

export type PowerState = 'poweredOn' | 'poweredOff' | 'suspended';

export interface VmDisk extends VirtualDiskInfo {
  /** "disk-2000": the device key, stable for the VM's life. */
  id: string;
  datastoreName: string | undefined;
  controllerLabel: string | undefined;
  controllerKind: string | undefined;
  busNumber: number | undefined;
}

export interface VmNic extends VirtualNicInfo {
  /** The real vSphere network name (standard or distributed port group); undefined when unresolvable. */
  networkName: string | undefined;
}

export interface VmDetails {
  ref: MoRef;
  name: string;
  /** config.instanceUuid: MigrateKit's identity of a VMware VM. */
  instanceUuid: string;
  biosUuid: string | undefined;
  path: string | undefined;
  datacenter: string | undefined;
  template: boolean;
  powerState: PowerState;
  /** connected, disconnected, orphaned, inaccessible, invalid. */
  connectionState: string;
  cpus: number;
  memoryMb: number;
  guestFullName: string;
  guestId: string;
  firmware: 'bios' | 'efi';
  /** guest.toolsStatus: toolsOk, toolsOld, toolsNotRunning, toolsNotInstalled. */
  toolsStatus: string;
  toolsRunningStatus: string | undefined;
  changeTrackingEnabled: boolean;
  host: MoRef | undefined;
  snapshot: SnapshotInfo | undefined;
  disks: VmDisk[];
  nics: VmNic[];
}

function powerState(value: string | undefined): PowerState {
  return value === 'poweredOn' || value === 'suspended' ? value : 'poweredOff';
}

function resolveNetworkName(nic: VirtualNicInfo, inventory: Inventory): string | undefined {
  switch (nic.backingKind) {
    case 'standard':
      return inventory.network(nic.network)?.name ?? nic.deviceName;
    case 'distributed':
      return nic.portgroupKey ? inventory.networkByPortgroupKey(nic.portgroupKey)?.name : undefined;
    case 'opaque':
      return nic.opaqueNetworkId ? inventory.networkByOpaqueId(nic.opaqueNetworkId)?.name : undefined;
    default:
      return nic.deviceName;
  }
}

export function parseVmDetails(content: ObjectContent, inventory: Inventory): VmDetails {
  const p = content.props;
  const ref = content.obj;
  const name = textOf(p.get('name')) ?? ref.value;
  const parent = parseMoRef(p.get('parent')) ?? parseMoRef(p.get('parentVApp'));
  inventory.remember(ref, name, parent);
  const devices = parseVmDevices(p.get('config.hardware.device'));
  const controllers = new Map(devices.controllers.map((c) => [c.key, c]));
  const disks: VmDisk[] = devices.disks.map((disk) => {
    const controller = disk.controllerKey === undefined ? undefined : controllers.get(disk.controllerKey);
    return {
      ...disk,
      id: `disk-${disk.key}`,
      datastoreName: inventory.datastore(disk.datastore)?.name ?? disk.datastoreFromFileName,
      controllerLabel: controller?.label,
      controllerKind: controller?.kind,
      busNumber: controller?.busNumber,
    };
  });
  const nics: VmNic[] = devices.nics.map((nic) => ({ ...nic, networkName: resolveNetworkName(nic, inventory) }));
  return {
    ref,
    name,
    instanceUuid: textOf(p.get('config.instanceUuid')) ?? '',
    biosUuid: textOf(p.get('config.uuid')),
    path: inventory.pathOf(ref),
    datacenter: inventory.datacenterOf(ref)?.name,
    template: booleanOf(p.get('config.template')) ?? false,
    powerState: powerState(textOf(p.get('runtime.powerState'))),
    connectionState: textOf(p.get('runtime.connectionState'))?.trim() || 'connected',
    cpus: numberOf(p.get('config.hardware.numCPU')) ?? 0,
    memoryMb: numberOf(p.get('config.hardware.memoryMB')) ?? 0,
    // The configured guest OS; what the running guest reports when the configuration has none.
    guestFullName: textOf(p.get('config.guestFullName')) || textOf(p.get('guest.guestFullName')) || '',
    guestId: textOf(p.get('config.guestId')) ?? '',
    firmware: textOf(p.get('config.firmware')) === 'efi' ? 'efi' : 'bios',
    toolsStatus: textOf(p.get('guest.toolsStatus')) ?? 'toolsNotInstalled',
    toolsRunningStatus: textOf(p.get('guest.toolsRunningStatus')),
    changeTrackingEnabled: booleanOf(p.get('config.changeTrackingEnabled')) ?? false,
    host: parseMoRef(p.get('runtime.host')),
    snapshot: parseSnapshotInfo(p.get('snapshot')),
    disks,
    nics,
  };
}
