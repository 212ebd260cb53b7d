import type { SimVm, SimVmDisk, SimVmNic } from './sim-vm';
import { data } from './vim-value';
import type { DataObject } from './vim-value';

// config.hardware.device of a VirtualMachine: the fixed chipset devices, SCSI controllers, disks (with their
// CBT change id) and NICs (standard or distributed port group backings).

export const SCSI_TYPE = {
  pvscsi: { type: 'ParaVirtualSCSIController', summary: 'VMware paravirtual SCSI' },
  lsilogic: { type: 'VirtualLsiLogicController', summary: 'LSI Logic' },
  'lsilogic-sas': { type: 'VirtualLsiLogicSASController', summary: 'LSI Logic SAS' },
} as const;

const NIC_TYPE = { vmxnet3: 'VirtualVmxnet3', e1000e: 'VirtualE1000e', e1000: 'VirtualE1000' } as const;

function describe(label: string, summary: string): DataObject {
  return data('Description', { label, summary });
}

/** "[DS] vm/vm.vmdk" at depth 0; "[DS] vm/vm-000002.vmdk" with two snapshots on top. */
export function diskFileAt(disk: SimVmDisk, depth: number): string {
  if (depth === 0) return disk.fileName;
  return disk.fileName.replace(/\.vmdk$/, `-${String(depth).padStart(6, '0')}.vmdk`);
}

function diskDevice(vm: SimVm, d: SimVmDisk, changeId: string | undefined, depth: number): DataObject {
  const kb = Math.floor(d.capacity / 1024);
  return data('VirtualDisk', {
    key: d.key,
    deviceInfo: describe(d.label, `${kb.toLocaleString('en-US')} KB`),
    backing: data('VirtualDiskFlatVer2BackingInfo', {
      fileName: diskFileAt(d, depth),
      datastore: d.datastore.ref,
      diskMode: 'persistent',
      split: false,
      writeThrough: false,
      thinProvisioned: d.thin,
      eagerlyScrub: false,
      uuid: d.uuid,
      contentId: d.uuid.replace(/-/g, '').slice(0, 32),
      changeId,
      digestEnabled: false,
      sharing: 'sharingNone',
    }),
    controllerKey: d.controllerKey,
    unitNumber: d.unitNumber,
    capacityInKB: kb,
    capacityInBytes: d.capacity,
    shares: data('SharesInfo', { shares: 1000, level: 'normal' }),
    storageIOAllocation: data('StorageIOAllocationInfo', {
      limit: -1,
      shares: data('SharesInfo', { shares: 1000, level: 'normal' }),
      reservation: 0,
    }),
    diskObjectId: `${vm.ref.value.replace('vm-', '')}-${d.key}`,
    nativeUnmanagedLinkedClone: false,
  });
}

function nicDevice(vm: SimVm, n: SimVmNic, index: number): DataObject {
  const backing = n.dvs
    ? data('VirtualEthernetCardDistributedVirtualPortBackingInfo', {
        port: data('DistributedVirtualSwitchPortConnection', {
          switchUuid: n.dvs.switchUuid,
          portgroupKey: n.dvs.portgroupKey,
        }),
      })
    : data('VirtualEthernetCardNetworkBackingInfo', {
        deviceName: n.network.name,
        useAutoDetect: false,
        network: n.network.ref,
      });
  const on = vm.powerState === 'poweredOn';
  return data(NIC_TYPE[n.adapter], {
    key: n.key,
    deviceInfo: describe(n.label, n.dvs ? `DVSwitch: ${n.dvs.switchUuid}` : n.network.name),
    backing,
    connectable: data('VirtualDeviceConnectInfo', {
      migrateConnect: 'unset',
      startConnected: n.connected,
      allowGuestControl: true,
      connected: on && n.connected,
      status: on ? 'ok' : 'untried',
    }),
    slotInfo: data('VirtualDevicePciBusSlotInfo', { pciSlotNumber: 160 + 32 * index }),
    controllerKey: 100,
    unitNumber: 7 + index,
    addressType: 'assigned',
    macAddress: n.mac,
    wakeOnLanEnabled: true,
    resourceAllocation: data('VirtualEthernetCardResourceAllocation', {
      reservation: 0,
      share: data('SharesInfo', { shares: 50, level: 'normal' }),
      limit: -1,
    }),
    uptCompatibilityEnabled: n.adapter === 'vmxnet3' ? true : undefined,
  });
}

export function vmDevices(vm: SimVm, changeIdOf: (d: SimVmDisk) => string | undefined, depth: number): DataObject[] {
  const devices: DataObject[] = [
    data('VirtualIDEController', { key: 200, deviceInfo: describe('IDE 0', 'IDE 0'), busNumber: 0, device: [3000] }),
    data('VirtualIDEController', { key: 201, deviceInfo: describe('IDE 1', 'IDE 1'), busNumber: 1 }),
    data('VirtualPS2Controller', {
      key: 300,
      deviceInfo: describe('PS2 controller 0', 'PS2 controller 0'),
      busNumber: 0,
      device: [600, 700],
    }),
    data('VirtualPCIController', {
      key: 100,
      deviceInfo: describe('PCI controller 0', 'PCI controller 0'),
      busNumber: 0,
      device: [500, 12000, ...vm.controllers.map((c) => c.key), ...vm.nics.map((n) => n.key)],
    }),
    data('VirtualSIOController', {
      key: 400,
      deviceInfo: describe('SIO controller 0', 'SIO controller 0'),
      busNumber: 0,
    }),
    data('VirtualKeyboard', {
      key: 600,
      deviceInfo: describe('Keyboard', 'Keyboard'),
      controllerKey: 300,
      unitNumber: 0,
    }),
    data('VirtualPointingDevice', {
      key: 700,
      deviceInfo: describe('Pointing device', 'Pointing device; Device'),
      backing: data('VirtualPointingDeviceDeviceBackingInfo', {
        deviceName: '',
        useAutoDetect: false,
        hostPointingDevice: 'autodetect',
      }),
      controllerKey: 300,
      unitNumber: 1,
    }),
    data('VirtualMachineVideoCard', {
      key: 500,
      deviceInfo: describe('Video card ', 'Video card'),
      controllerKey: 100,
      unitNumber: 0,
      videoRamSizeInKB: 4096,
      numDisplays: 1,
      useAutoDetect: false,
      enable3DSupport: false,
      use3dRenderer: 'automatic',
      graphicsMemorySizeInKB: 262144,
    }),
    data('VirtualMachineVMCIDevice', {
      key: 12000,
      deviceInfo: describe(
        'VMCI device',
        'Device on the virtual machine PCI bus that provides support for the virtual machine communication interface',
      ),
      controllerKey: 100,
      unitNumber: 17,
      id: -1,
      allowUnrestrictedCommunication: false,
      filterEnable: true,
    }),
    data('VirtualCdrom', {
      key: 3000,
      deviceInfo: describe('CD/DVD drive 1', 'Remote device'),
      backing: data('VirtualCdromRemotePassthroughBackingInfo', {
        deviceName: '',
        useAutoDetect: false,
        exclusive: false,
      }),
      connectable: data('VirtualDeviceConnectInfo', {
        startConnected: false,
        allowGuestControl: true,
        connected: false,
        status: 'untried',
      }),
      controllerKey: 200,
      unitNumber: 0,
    }),
  ];
  for (const c of vm.controllers) {
    const t = SCSI_TYPE[c.kind];
    devices.push(
      data(t.type, {
        key: c.key,
        deviceInfo: describe(`SCSI controller ${c.busNumber}`, t.summary),
        slotInfo: data('VirtualDevicePciBusSlotInfo', { pciSlotNumber: 16 + c.busNumber * 32 }),
        controllerKey: 100,
        unitNumber: 3 + c.busNumber,
        busNumber: c.busNumber,
        device: c.deviceKeys,
        hotAddRemove: true,
        sharedBus: 'noSharing',
        scsiCtlrUnitNumber: 7,
      }),
    );
  }
  for (const d of vm.disks) devices.push(diskDevice(vm, d, changeIdOf(d), depth));
  vm.nics.forEach((n, i) => devices.push(nicDevice(vm, n, i)));
  return devices;
}
