import type { CommandName } from '../command-table';
import type { Handler } from '../sim-context';
import * as catalogue from './catalogue.handlers';
import { queryAsyncJobResult } from './job.handlers';
import * as rules from './network-rules.handlers';
import * as snapshots from './snapshot.handlers';
import * as vmSnapshots from './vm-snapshot.handlers';
import * as vms from './vm.handlers';
import * as volumes from './volume.handlers';

export const HANDLERS: Record<CommandName, Handler> = {
  listZones: catalogue.listZones,
  listDomains: catalogue.listDomains,
  listTemplates: catalogue.listTemplates,
  listServiceOfferings: catalogue.listServiceOfferings,
  listDiskOfferings: catalogue.listDiskOfferings,
  listNetworks: catalogue.listNetworks,
  listCapabilities: catalogue.listCapabilities,
  listApis: catalogue.listApis,
  queryAsyncJobResult,
  listVirtualMachines: vms.listVirtualMachines,
  deployVirtualMachine: vms.deployVirtualMachine,
  startVirtualMachine: vms.startVirtualMachine,
  stopVirtualMachine: vms.stopVirtualMachine,
  rebootVirtualMachine: vms.rebootVirtualMachine,
  destroyVirtualMachine: vms.destroyVirtualMachine,
  listVolumes: volumes.listVolumes,
  createVolume: volumes.createVolume,
  attachVolume: volumes.attachVolume,
  detachVolume: volumes.detachVolume,
  resizeVolume: volumes.resizeVolume,
  deleteVolume: volumes.deleteVolume,
  listSnapshots: snapshots.listSnapshots,
  createSnapshot: snapshots.createSnapshot,
  revertSnapshot: snapshots.revertSnapshot,
  deleteSnapshot: snapshots.deleteSnapshot,
  createVMSnapshot: vmSnapshots.createVMSnapshot,
  listVMSnapshot: vmSnapshots.listVMSnapshot,
  revertToVMSnapshot: vmSnapshots.revertToVMSnapshot,
  deleteVMSnapshot: vmSnapshots.deleteVMSnapshot,
  listPublicIpAddresses: rules.listPublicIpAddresses,
  listPortForwardingRules: rules.listPortForwardingRules,
  listIpForwardingRules: rules.listIpForwardingRules,
};

/** BaseAsyncCreateCmd: validation runs synchronously before the job, and the reply carries the new id. */
export const CREATE_COMMANDS: ReadonlySet<string> = new Set([
  'deployVirtualMachine',
  'createVolume',
  'createSnapshot',
  'createVMSnapshot',
]);
