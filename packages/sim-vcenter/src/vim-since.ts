// The vim25 API version that introduced each type and property the simulator sends, where that is newer
// than 6.0 (the oldest version it answers in). Anything not listed exists in every supported version.
// Taken from VMware's published vim25 type metadata (the version tag of each property in pyVmomi's type
// info). A new property in vm-properties.ts or elsewhere that is newer than 6.0 needs its line here, or
// older clients fail to parse the answer; test/pyvmomi checks this with the SDK's own metadata.

export const TYPE_SINCE: Record<string, string> = {};

export const FIELD_SINCE: Record<string, string> = {
  'FileInfo.friendlyName': '6.5',
  'GuestInfo.hwVersion': '7.0.0.0',
  'HostRuntimeInfo.inQuarantineMode': '6.5',
  'VirtualDeviceConnectInfo.migrateConnect': '6.7',
  'VirtualDisk.nativeUnmanagedLinkedClone': '6.7',
  'VirtualHardware.autoCoresPerSocket': '8.0.0.1',
  'VirtualHardware.motherboardLayout': '8.0.0.1',
  'VirtualHardware.simultaneousThreads': '8.0.0.1',
  'VirtualMachineBootOptions.efiSecureBootEnabled': '6.5',
  'VirtualMachineConfigInfo.createDate': '6.7',
  'VirtualMachineConfigInfo.migrateEncryption': '6.5',
  'VirtualMachineConfigSummary.hwVersion': '7.0.0.0',
  'VirtualMachineConfigSummary.tpmPresent': '6.7',
  'VirtualMachineFlagInfo.cbrcCacheEnabled': '6.5',
  'VirtualMachineFlagInfo.vbsEnabled': '6.7',
  'VirtualMachineFlagInfo.vvtdEnabled': '6.7',
  'VirtualMachineGuestSummary.hwVersion': '7.0.0.0',
  'VirtualMachineRuntimeInfo.instantCloneFrozen': '6.7',
  'VmConfigFileInfo.friendlyName': '6.5',
  'VmDiskFileInfo.friendlyName': '6.5',
  'VmLogFileInfo.friendlyName': '6.5',
  'VmNvramFileInfo.friendlyName': '6.5',
  'VmSnapshotFileInfo.friendlyName': '6.5',
};
