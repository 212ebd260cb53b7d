import type { SimVm, SimVmDisk, SimVmNic } from './sim-vm';
import { data, EnumValue } from './vim-value';
import type { DataObject, VimValue } from './vim-value';

// vim25 property trees of a VirtualMachine (config, runtime, guest, summary, snapshot), shaped like vCenter's.

const SCSI_TYPE = {
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

export function vmConfigInfo(
  vm: SimVm,
  changeIdOf: (d: SimVmDisk) => string | undefined,
  depth = vm.snapshots.length,
): DataObject {
  const s = vm.spec;
  const dir = vm.vmPathName.replace(/\/[^/]+$/, '/');
  return data('VirtualMachineConfigInfo', {
    changeVersion: vm.changeVersion.toISOString(),
    modified: vm.changeVersion,
    name: vm.name,
    guestFullName: s.guestFullName,
    version: 'vmx-19',
    uuid: vm.uuid,
    createDate: new Date('2024-03-01T09:00:00Z'),
    instanceUuid: vm.instanceUuid,
    npivTemporaryDisabled: true,
    locationId: `564d${vm.uuid.slice(4)}`,
    template: false,
    guestId: s.guestId,
    alternateGuestName: '',
    annotation: s.annotation ?? '',
    files: data('VirtualMachineFileInfo', {
      vmPathName: vm.vmPathName,
      snapshotDirectory: dir,
      suspendDirectory: dir,
      logDirectory: dir,
    }),
    tools: data('ToolsConfigInfo', {
      toolsVersion: s.tools === 'toolsNotInstalled' ? 0 : s.tools === 'toolsOld' ? 10346 : 12352,
      afterPowerOn: true,
      afterResume: true,
      beforeGuestStandby: true,
      beforeGuestShutdown: true,
      toolsUpgradePolicy: 'manual',
      syncTimeWithHost: false,
    }),
    flags: data('VirtualMachineFlagInfo', {
      disableAcceleration: false,
      enableLogging: true,
      useToe: false,
      runWithDebugInfo: false,
      monitorType: 'release',
      htSharing: 'any',
      snapshotDisabled: false,
      snapshotLocked: false,
      diskUuidEnabled: true,
      virtualMmuUsage: 'automatic',
      virtualExecUsage: 'hvAuto',
      snapshotPowerOffBehavior: 'powerOff',
      recordReplayEnabled: false,
      faultToleranceType: 'unset',
      cbrcCacheEnabled: false,
      vvtdEnabled: false,
      vbsEnabled: false,
    }),
    defaultPowerOps: data('VirtualMachineDefaultPowerOpInfo', {
      powerOffType: 'soft',
      suspendType: 'hard',
      resetType: 'soft',
      defaultPowerOffType: 'soft',
      defaultSuspendType: 'hard',
      defaultResetType: 'soft',
      standbyAction: 'checkpoint',
    }),
    hardware: data('VirtualHardware', {
      numCPU: vm.cpus,
      numCoresPerSocket: 1,
      autoCoresPerSocket: true,
      memoryMB: vm.memoryMB,
      virtualICH7MPresent: false,
      virtualSMCPresent: false,
      device: vmDevices(vm, changeIdOf, depth),
      motherboardLayout: 'i440bxHostBridge',
      simultaneousThreads: 1,
    }),
    cpuHotAddEnabled: false,
    cpuHotRemoveEnabled: false,
    memoryHotAddEnabled: false,
    changeTrackingEnabled: vm.cbtEnabled,
    firmware: s.firmware ?? 'bios',
    maxMksConnections: 40,
    guestAutoLockEnabled: true,
    memoryReservationLockedToMax: false,
    nestedHVEnabled: false,
    vPMCEnabled: false,
    bootOptions: data('VirtualMachineBootOptions', {
      bootDelay: 0,
      enterBIOSSetup: false,
      efiSecureBootEnabled: (s.firmware ?? 'bios') === 'efi',
      bootRetryEnabled: false,
      bootRetryDelay: 10000,
      networkBootProtocol: 'ipv4',
    }),
    swapPlacement: 'inherit',
    keyId: undefined,
    migrateEncryption: 'opportunistic',
    sgxInfo: undefined,
  });
}

function toolsFields(vm: SimVm): { status: string; version: string; running: string } {
  const tools = vm.spec.tools ?? 'toolsOk';
  if (tools === 'toolsNotInstalled')
    return { status: 'toolsNotInstalled', version: 'guestToolsNotInstalled', running: 'guestToolsNotRunning' };
  const on = vm.powerState === 'poweredOn';
  return {
    status: on ? tools : 'toolsNotRunning',
    version: tools === 'toolsOld' ? 'guestToolsNeedUpgrade' : 'guestToolsCurrent',
    running: on ? 'guestToolsRunning' : 'guestToolsNotRunning',
  };
}

function runtimeInfo(vm: SimVm): DataObject {
  return data('VirtualMachineRuntimeInfo', {
    device: undefined,
    host: vm.host.ref,
    connectionState: 'connected',
    powerState: vm.powerState,
    faultToleranceState: 'notConfigured',
    toolsInstallerMounted: false,
    bootTime: vm.bootTime,
    suspendInterval: 0,
    maxCpuUsage: vm.cpus * 2400,
    maxMemoryUsage: vm.memoryMB,
    numMksConnections: 0,
    recordReplayState: 'inactive',
    onlineStandby: false,
    consolidationNeeded: false,
    paused: false,
    snapshotInBackground: false,
    instantCloneFrozen: false,
  });
}

function guestInfo(vm: SimVm): DataObject {
  const t = toolsFields(vm);
  const on = vm.powerState === 'poweredOn';
  const ip = on ? vm.spec.ipAddress : undefined;
  return data('GuestInfo', {
    toolsStatus: t.status,
    toolsVersionStatus: t.version === 'guestToolsCurrent' ? 'guestToolsCurrent' : 'guestToolsNeedUpgrade',
    toolsVersionStatus2: t.version,
    toolsRunningStatus: t.running,
    toolsVersion: vm.spec.tools === 'toolsNotInstalled' ? '0' : vm.spec.tools === 'toolsOld' ? '10346' : '12352',
    guestId: on ? vm.spec.guestId : undefined,
    guestFamily: on ? (vm.spec.guest === 'windows' ? 'windowsGuest' : 'linuxGuest') : undefined,
    guestFullName: on ? vm.spec.guestFullName : undefined,
    hostName: on ? (vm.spec.hostName ?? vm.name) : undefined,
    ipAddress: ip,
    net: on
      ? vm.nics.map((n) =>
          data('GuestNicInfo', {
            network: n.network.name,
            ipAddress: ip && n === vm.nics[0] ? [ip] : [],
            macAddress: n.mac,
            connected: n.connected,
            deviceConfigId: n.key,
          }),
        )
      : undefined,
    guestState: on ? (vm.shuttingDown ? 'shuttingDown' : 'running') : 'notRunning',
    appHeartbeatStatus: 'appStatusGray',
    guestKernelCrashed: false,
    appState: 'none',
    guestOperationsReady: on && t.running === 'guestToolsRunning',
    interactiveGuestOperationsReady: false,
    guestStateChangeSupported: on && t.running === 'guestToolsRunning',
    hwVersion: 'vmx-19',
  });
}

function summary(vm: SimVm): DataObject {
  const t = toolsFields(vm);
  const on = vm.powerState === 'poweredOn';
  const committed = vm.disks.reduce((n, d) => n + d.disk.allocated.totalBytes, 0);
  const capacity = vm.disks.reduce((n, d) => n + d.capacity, 0);
  return data('VirtualMachineSummary', {
    vm: vm.ref,
    runtime: runtimeInfo(vm),
    guest: data('VirtualMachineGuestSummary', {
      guestId: vm.spec.guestId,
      guestFullName: vm.spec.guestFullName,
      toolsStatus: t.status,
      toolsVersionStatus: t.version === 'guestToolsCurrent' ? 'guestToolsCurrent' : 'guestToolsNeedUpgrade',
      toolsVersionStatus2: t.version,
      toolsRunningStatus: t.running,
      hostName: on ? (vm.spec.hostName ?? vm.name) : undefined,
      ipAddress: on ? vm.spec.ipAddress : undefined,
      hwVersion: 'vmx-19',
    }),
    config: data('VirtualMachineConfigSummary', {
      name: vm.name,
      template: false,
      vmPathName: vm.vmPathName,
      memorySizeMB: vm.memoryMB,
      cpuReservation: 0,
      memoryReservation: 0,
      numCpu: vm.cpus,
      numEthernetCards: vm.nics.length,
      numVirtualDisks: vm.disks.length,
      uuid: vm.uuid,
      instanceUuid: vm.instanceUuid,
      guestId: vm.spec.guestId,
      guestFullName: vm.spec.guestFullName,
      annotation: vm.spec.annotation ?? '',
      installBootRequired: false,
      tpmPresent: false,
      hwVersion: 'vmx-19',
    }),
    storage: data('VirtualMachineStorageSummary', {
      committed,
      uncommitted: capacity - committed,
      unshared: committed,
      timestamp: new Date(),
    }),
    quickStats: data('VirtualMachineQuickStats', {
      overallCpuUsage: on ? 120 : 0,
      overallCpuDemand: on ? 110 : 0,
      guestMemoryUsage: on ? Math.floor(vm.memoryMB / 4) : 0,
      hostMemoryUsage: on ? Math.floor(vm.memoryMB / 2) : 0,
      guestHeartbeatStatus: on ? 'green' : 'gray',
      uptimeSeconds: on && vm.bootTime ? Math.floor((Date.now() - vm.bootTime.getTime()) / 1000) : 0,
    }),
    overallStatus: 'green',
  });
}

export function vmProperties(vm: SimVm): Record<string, VimValue | undefined> {
  const current = vm.currentSnapshot;
  const roots = vm.snapshots.filter((s) => s.parent === undefined);
  return {
    config: vm.config(),
    runtime: runtimeInfo(vm),
    guest: guestInfo(vm),
    summary: summary(vm),
    guestHeartbeatStatus: new EnumValue('ManagedEntityStatus', vm.powerState === 'poweredOn' ? 'green' : 'gray'),
    resourcePool: vm.resourcePool.ref,
    datastore: vm.datastores.map((d) => d.ref),
    network: vm.networks.map((n) => n.ref),
    snapshot: current
      ? data('VirtualMachineSnapshotInfo', {
          currentSnapshot: current.ref,
          rootSnapshotList: roots.map((r) => r.tree()),
        })
      : undefined,
    rootSnapshot: roots.map((r) => r.ref),
    capability: data('VirtualMachineCapability', {
      snapshotOperationsSupported: true,
      multipleSnapshotsSupported: true,
      snapshotConfigSupported: true,
      poweredOffSnapshotsSupported: true,
      memorySnapshotsSupported: true,
      revertToSnapshotSupported: true,
      quiescedSnapshotsSupported: true,
      disableSnapshotsSupported: false,
      lockSnapshotsSupported: false,
      consolePreferencesSupported: false,
      cpuFeatureMaskSupported: true,
      s1AcpiManagementSupported: true,
      settingScreenResolutionSupported: true,
      toolsAutoUpdateSupported: false,
      vmNpivWwnSupported: true,
      npivWwnOnNonRdmVmSupported: true,
      swapPlacementSupported: true,
      toolsSyncTimeSupported: true,
      virtualMmuUsageSupported: true,
      diskSharesSupported: true,
      bootOptionsSupported: true,
      bootRetryOptionsSupported: true,
      settingVideoRamSizeSupported: true,
      settingDisplayTopologySupported: false,
      recordReplaySupported: false,
      changeTrackingSupported: true,
    }),
  };
}
