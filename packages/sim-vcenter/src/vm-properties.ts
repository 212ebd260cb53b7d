import type { SimVm, SimVmDisk } from './sim-vm';
import { data, EnumValue } from './vim-value';
import type { DataObject, VimValue } from './vim-value';
import { vmDevices } from './vm-devices';

// vim25 property trees of a VirtualMachine (config, runtime, guest, summary, snapshot), shaped like vCenter's.

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
    migrateEncryption: 'opportunistic',
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
