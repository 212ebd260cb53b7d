import { cloudRuntime, invalidParameter, invalidValue } from '../api-error';
import { csDate, renderVm, text } from '../render';
import {
  UndoRecorder,
  bool,
  commonFilter,
  csv,
  findCatalogue,
  findVm,
  listResponse,
  long,
  must,
  str,
  type Handler,
} from '../sim-context';
import type { SimNic, SimVm, SimVolume } from '../sim-types';
import { customResources, detailsParam, nicRequests } from './deploy-rules';
import { allocateIp, allocateMac } from './nic-allocation';

const GIB = 1024 ** 3;
const HOSTNAME = /^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

export const listVirtualMachines: Handler = (ctx) => {
  const state = str(ctx, 'state')?.toLowerCase();
  const zoneid = str(ctx, 'zoneid');
  const networkid = str(ctx, 'networkid');
  const templateid = str(ctx, 'templateid');
  const vms = commonFilter(ctx, ctx.state.vms, (vm) => ({
    id: vm.id,
    name: vm.name,
    displayname: vm.displayname,
  })).filter(
    (vm) =>
      (state === undefined || vm.state.toLowerCase() === state) &&
      (zoneid === undefined || vm.zoneid === zoneid) &&
      (templateid === undefined || vm.templateid === templateid) &&
      (networkid === undefined || vm.nics.some((nic) => nic.networkid === networkid)),
  );
  return listResponse(
    ctx,
    'virtualmachine',
    vms.map((vm) => renderVm(ctx.state, vm)),
  );
};

/** Create-type command: everything is validated now (synchronous errors), the record exists at once. */
export const deployVirtualMachine: Handler = (ctx) => {
  const { state } = ctx;
  const zone = must(findCatalogue(ctx, 'zoneid', state.zones));
  const offering = must(findCatalogue(ctx, 'serviceofferingid', state.serviceOfferings));
  const template = must(findCatalogue(ctx, 'templateid', state.templates));
  const custom = customResources(ctx, offering);
  const diskOffering = findCatalogue(ctx, 'diskofferingid', state.diskOfferings);
  const id = ctx.newId();
  const name = str(ctx, 'name') ?? `VM-${id}`;
  if (!HOSTNAME.test(name))
    throw invalidParameter(
      "Invalid name. Vm name can contain ASCII letters 'a' through 'z', the digits '0' through '9', and the hyphen ('-'), must be between 1 and 63 characters long, and can't start or end with \"-\" and can't start with digit",
    );
  const requests = nicRequests(ctx);
  if (requests.length === 0)
    throw invalidParameter('No network specified: pass networkids or iptonetworklist for a VM in an Advanced zone');
  const nics: SimNic[] = [];
  requests.forEach((request, index) => {
    const network = state.networks.find((n) => n.id === request.networkid);
    if (!network) throw invalidValue(ctx.command, 'networkids', request.networkid);
    if (network.zoneid !== zone.id)
      throw invalidParameter(`Network ${String(network.name)} doesn't belong to zone ${String(zone.name)}`);
    if (network.canusefordeploy === false)
      throw invalidParameter(`Network ${String(network.name)} can't be used for VM deployment`);
    const ipaddress = allocateIp(state, network, request.ip, nics);
    const nic: SimNic = {
      id: ctx.newId(),
      networkid: String(network.id),
      macaddress: allocateMac(state, request.mac, nics),
      isdefault: index === 0,
      deviceid: index,
    };
    if (ipaddress !== undefined) nic.ipaddress = ipaddress;
    nics.push(nic);
  });
  const defaultNetwork = state.networks.find((n) => n.id === nics[0]?.networkid);
  if (state.vms.some((vm) => vm.name.toLowerCase() === name.toLowerCase() && vm.state !== 'Expunging'))
    throw invalidParameter(
      `The vm with hostName ${name} already exists in the network domain: ${text(defaultNetwork?.networkdomain) || 'cs.internal'}; network=${String(defaultNetwork?.name)}`,
    );

  const details = detailsParam(ctx);
  const rootGiB = details.rootdisksize !== undefined ? Number(details.rootdisksize) : long(ctx, 'rootdisksize');
  const rootBytes = rootGiB !== undefined && rootGiB > 0 ? rootGiB * GIB : Number(template.size ?? 10 * GIB);
  let dataBytes: number | undefined;
  if (diskOffering) {
    const size = long(ctx, 'size');
    if (diskOffering.iscustomized === true) {
      if (size === undefined || size <= 0)
        throw invalidParameter('This disk offering requires a custom size specified');
      dataBytes = size * GIB;
    } else dataBytes = Number(diskOffering.disksize) * GIB;
  }

  const start = bool(ctx, 'startvm') ?? true;
  const created = csDate(ctx.now());
  const vm: SimVm = {
    id,
    dbId: state.nextDbId++,
    name,
    displayname: str(ctx, 'displayname') ?? name,
    zoneid: String(zone.id),
    templateid: String(template.id),
    serviceofferingid: String(offering.id),
    ...custom,
    state: start ? 'Starting' : 'Stopped',
    created,
    nics,
  };
  const volume = (type: 'ROOT' | 'DATADISK', sizeBytes: number, deviceId: number): SimVolume => {
    const volumeId = ctx.newId();
    const record: SimVolume = {
      id: volumeId,
      dbId: state.nextDbId++,
      name: `${type === 'ROOT' ? 'ROOT' : 'DATA'}-${vm.dbId}`,
      type,
      state: 'Allocated',
      sizeBytes,
      zoneid: vm.zoneid,
      vmId: vm.id,
      deviceId,
      attached: created,
      created,
      file: `volumes/${volumeId}.img`,
    };
    if (type === 'DATADISK' && diskOffering) record.diskofferingid = String(diskOffering.id);
    return record;
  };
  const volumes = [volume('ROOT', rootBytes, 0)];
  if (dataBytes !== undefined) volumes.push(volume('DATADISK', dataBytes, 1));

  const undo = new UndoRecorder(state).vm(vm.id);
  for (const v of volumes) undo.volume(v.id);
  state.vms.push(vm);
  state.volumes.push(...volumes);
  const job = ctx.submitJob({
    instanceType: 'VirtualMachine',
    instanceId: vm.id,
    action: { kind: 'deploy', vmId: vm.id, start },
    undo: undo.undo,
  });
  return { jobid: job.jobid, id: vm.id };
};

function submitVmJob(ctx: Parameters<Handler>[0], vm: SimVm, action: Parameters<typeof ctx.submitJob>[0]['action']) {
  const undo = new UndoRecorder(ctx.state).vm(vm.id);
  return {
    undo,
    submit: () => ctx.submitJob({ instanceType: 'VirtualMachine', instanceId: vm.id, action, undo: undo.undo }),
  };
}

export const startVirtualMachine: Handler = (ctx) => {
  const vm = must(findVm(ctx, 'id'));
  const { submit } = submitVmJob(ctx, vm, { kind: 'start', vmId: vm.id });
  if (vm.state !== 'Running') {
    if (vm.state !== 'Stopped')
      throw invalidParameter(`Unable to start VM ${vm.name}: it is in state ${vm.state}, not Stopped`);
    if (!ctx.state.volumes.some((v) => v.vmId === vm.id && v.deviceId === 0))
      throw cloudRuntime(`Unable to start VM ${vm.name}: there is no ROOT volume (device 0) attached`);
    vm.state = 'Starting';
  }
  return { jobid: submit().jobid };
};

export const stopVirtualMachine: Handler = (ctx) => {
  const vm = must(findVm(ctx, 'id'));
  const { submit } = submitVmJob(ctx, vm, { kind: 'stop', vmId: vm.id });
  if (vm.state !== 'Stopped') {
    if (vm.state !== 'Running' && !(bool(ctx, 'forced') === true && vm.state === 'Starting'))
      throw cloudRuntime(`Unable to stop VM ${vm.name}: it is in state ${vm.state}`);
    vm.state = 'Stopping';
  }
  return { jobid: submit().jobid };
};

/** UserVmManagerImpl.rebootVirtualMachine returns null unless the VM runs: "Failed to reboot vm instance". */
export const rebootVirtualMachine: Handler = (ctx) => {
  const vm = must(findVm(ctx, 'id'));
  if (vm.state !== 'Running') throw cloudRuntime('Failed to reboot vm instance');
  const { submit } = submitVmJob(ctx, vm, { kind: 'reboot', vmId: vm.id });
  return { jobid: submit().jobid };
};

export const destroyVirtualMachine: Handler = (ctx) => {
  const vm = must(findVm(ctx, 'id'));
  const expunge = bool(ctx, 'expunge') ?? false;
  const volumeIds = csv(ctx, 'volumeids');
  for (const volumeId of volumeIds) {
    const volume = ctx.state.volumes.find((v) => v.id === volumeId);
    if (!volume) throw invalidValue(ctx.command, 'volumeids', volumeId);
    if (volume.vmId !== vm.id || volume.type !== 'DATADISK')
      throw invalidParameter(`Please specify volumes of type DATADISK attached to the VM ${vm.name}: ${volumeId}`);
  }
  if (vm.state === 'Destroyed' && !expunge) throw invalidParameter(`VM ${vm.name} is already destroyed`);
  if (['Starting', 'Stopping', 'Expunging', 'Migrating'].includes(vm.state))
    throw cloudRuntime(`Unable to destroy VM ${vm.name}: it is in state ${vm.state}`);
  const { undo, submit } = submitVmJob(ctx, vm, { kind: 'destroy', vmId: vm.id, expunge, volumeIds });
  for (const volume of ctx.state.volumes.filter((v) => v.vmId === vm.id)) undo.volume(volume.id);
  vm.state = expunge ? 'Expunging' : 'Destroyed';
  return { jobid: submit().jobid };
};
