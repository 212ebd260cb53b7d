// Decodes a VM's `config.hardware.device` (ArrayOfVirtualDevice) into disks, NICs and controllers.
import { type MoRef, parseMoRef } from './vim-types';
import { booleanOf, child, descend, numberOf, textOf, type XmlNode } from '@migratekit/node-common';

export interface VirtualControllerInfo {
  key: number;
  label: string;
  /** vim25 type, e.g. "ParaVirtualSCSIController". */
  deviceType: string;
  /** Short bus family: pvscsi, lsilogic, lsilogic-sas, buslogic, ide, sata, nvme. */
  kind: string;
  busNumber: number | undefined;
}

export interface VirtualDiskInfo {
  key: number;
  label: string;
  capacityBytes: number;
  /** "[datastore] folder/disk.vmdk" */
  fileName: string;
  datastore: MoRef | undefined;
  /** Datastore name as written in the backing file name. */
  datastoreFromFileName: string | undefined;
  backingType: string;
  thinProvisioned: boolean;
  eagerlyScrub: boolean;
  /** persistent, independent_persistent, independent_nonpersistent, ... */
  diskMode: string;
  independent: boolean;
  rdm: boolean;
  /** physicalMode / virtualMode for RDMs. */
  rdmCompatibilityMode: string | undefined;
  /** The CBT change id of the current backing, when CBT is on. */
  changeId: string | undefined;
  controllerKey: number | undefined;
  unitNumber: number | undefined;
}

export type NicBackingKind = 'standard' | 'distributed' | 'opaque' | 'other';

export interface VirtualNicInfo {
  key: number;
  label: string;
  macAddress: string;
  deviceType: string;
  /** vmxnet3, e1000, e1000e, vmxnet2, vmxnet, pcnet32, sriov, vrdma. */
  adapterType: string;
  connected: boolean;
  startConnected: boolean;
  backingKind: NicBackingKind;
  /** Standard port group: the Network reference and the deviceName vCenter recorded. */
  network: MoRef | undefined;
  deviceName: string | undefined;
  /** Distributed port group. */
  portgroupKey: string | undefined;
  switchUuid: string | undefined;
  opaqueNetworkId: string | undefined;
}

export interface VmDevices {
  disks: VirtualDiskInfo[];
  nics: VirtualNicInfo[];
  controllers: VirtualControllerInfo[];
}

const CONTROLLER_KIND: Record<string, string> = {
  ParaVirtualSCSIController: 'pvscsi',
  VirtualLsiLogicController: 'lsilogic',
  VirtualLsiLogicSASController: 'lsilogic-sas',
  VirtualBusLogicController: 'buslogic',
  VirtualIDEController: 'ide',
  VirtualAHCIController: 'sata',
  VirtualSATAController: 'sata',
  VirtualNVMEController: 'nvme',
};

const NIC_ADAPTER: Record<string, string> = {
  VirtualVmxnet3: 'vmxnet3',
  VirtualVmxnet3Vrdma: 'vrdma',
  VirtualVmxnet2: 'vmxnet2',
  VirtualVmxnet: 'vmxnet',
  VirtualE1000: 'e1000',
  VirtualE1000e: 'e1000e',
  VirtualPCNet32: 'pcnet32',
  VirtualSriovEthernetCard: 'sriov',
};

function deviceType(device: XmlNode): string {
  return device.xsiType ?? device.name;
}

function label(device: XmlNode): string {
  return textOf(device, 'deviceInfo', 'label') ?? '';
}

function parseDisk(device: XmlNode): VirtualDiskInfo {
  const backing = child(device, 'backing');
  const backingType = backing?.xsiType ?? 'unknown';
  const fileName = textOf(backing, 'fileName') ?? '';
  const diskMode = textOf(backing, 'diskMode') ?? 'persistent';
  const bytes = numberOf(device, 'capacityInBytes');
  const kb = numberOf(device, 'capacityInKB');
  const rdm =
    backingType.startsWith('VirtualDiskRawDiskMapping') || backingType === 'VirtualDiskRawDiskVer2BackingInfo';
  return {
    key: numberOf(device, 'key') ?? 0,
    label: label(device),
    capacityBytes: bytes !== undefined && bytes > 0 ? bytes : (kb ?? 0) * 1024,
    fileName,
    datastore: parseMoRef(child(backing, 'datastore')),
    datastoreFromFileName: /^\[([^\]]*)\]/.exec(fileName)?.[1],
    backingType,
    thinProvisioned: booleanOf(backing, 'thinProvisioned') ?? false,
    eagerlyScrub: booleanOf(backing, 'eagerlyScrub') ?? false,
    diskMode,
    independent: diskMode.startsWith('independent'),
    rdm,
    rdmCompatibilityMode: rdm ? textOf(backing, 'compatibilityMode') : undefined,
    changeId: textOf(backing, 'changeId')?.trim() || undefined,
    controllerKey: numberOf(device, 'controllerKey'),
    unitNumber: numberOf(device, 'unitNumber'),
  };
}

function nicBacking(
  backing: XmlNode | undefined,
): Pick<VirtualNicInfo, 'backingKind' | 'network' | 'deviceName' | 'portgroupKey' | 'switchUuid' | 'opaqueNetworkId'> {
  const type = backing?.xsiType ?? '';
  const none = {
    network: undefined,
    deviceName: undefined,
    portgroupKey: undefined,
    switchUuid: undefined,
    opaqueNetworkId: undefined,
  };
  if (type === 'VirtualEthernetCardDistributedVirtualPortBackingInfo') {
    return {
      ...none,
      backingKind: 'distributed',
      portgroupKey: textOf(backing, 'port', 'portgroupKey'),
      switchUuid: textOf(backing, 'port', 'switchUuid'),
    };
  }
  if (type === 'VirtualEthernetCardOpaqueNetworkBackingInfo') {
    return { ...none, backingKind: 'opaque', opaqueNetworkId: textOf(backing, 'opaqueNetworkId') };
  }
  if (type === 'VirtualEthernetCardNetworkBackingInfo') {
    return {
      ...none,
      backingKind: 'standard',
      network: parseMoRef(child(backing, 'network')),
      deviceName: textOf(backing, 'deviceName'),
    };
  }
  return { ...none, backingKind: 'other', deviceName: textOf(backing, 'deviceName') };
}

function parseNic(device: XmlNode, type: string): VirtualNicInfo {
  const connectable = child(device, 'connectable');
  return {
    key: numberOf(device, 'key') ?? 0,
    label: label(device),
    macAddress: textOf(device, 'macAddress') ?? '',
    deviceType: type,
    adapterType: NIC_ADAPTER[type] ?? type.replace(/^Virtual/, '').toLowerCase(),
    connected: booleanOf(connectable, 'connected') ?? false,
    startConnected: booleanOf(connectable, 'startConnected') ?? false,
    ...nicBacking(child(device, 'backing')),
  };
}

function isNic(device: XmlNode, type: string): boolean {
  return type in NIC_ADAPTER || (descend(device, 'macAddress') !== undefined && type.includes('Ethernet'));
}

/** Reads the devices of a VirtualMachineConfigInfo.hardware.device array (element names are ignored). */
export function parseVmDevices(deviceArray: XmlNode | undefined): VmDevices {
  const out: VmDevices = { disks: [], nics: [], controllers: [] };
  for (const device of deviceArray?.children ?? []) {
    const type = deviceType(device);
    if (type === 'VirtualDisk') out.disks.push(parseDisk(device));
    else if (isNic(device, type)) out.nics.push(parseNic(device, type));
    else if (type in CONTROLLER_KIND) {
      out.controllers.push({
        key: numberOf(device, 'key') ?? 0,
        label: label(device),
        deviceType: type,
        kind: CONTROLLER_KIND[type] ?? type,
        busNumber: numberOf(device, 'busNumber'),
      });
    }
  }
  return out;
}
