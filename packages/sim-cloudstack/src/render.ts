import { NIC_FIELDS, SNAPSHOT_FIELDS, VM_FIELDS, VM_SNAPSHOT_FIELDS, VOLUME_FIELDS } from './command-table';
import type { ApiObject, SimSnapshot, SimState, SimVm, SimVmSnapshot, SimVolume } from './sim-types';

// Renders records in CloudStack's JSON shape: lowercase names, numbers as numbers, null fields omitted.

const HOST = { hostid: '6c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', hostname: 'kvm-host-01' };
const STORAGE = { storage: 'ps-nfs-01', storageid: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', storagetype: 'shared' };

/** CloudStack's date format: yyyy-MM-dd'T'HH:mm:ssZ. */
export function csDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}

/** Keeps only declared fields that have a value. */
export function pick(object: ApiObject, fields: readonly string[]): ApiObject {
  const out: ApiObject = {};
  for (const field of fields) {
    const value = object[field];
    if (value !== undefined && value !== null) out[field] = value;
  }
  return out;
}

function pendingJobFields(state: SimState, id: string): ApiObject {
  const job = state.jobs.find((j) => j.instanceId === id && j.status === 0);
  return job ? { jobid: job.jobid, jobstatus: 0 } : {};
}

function byId(list: ApiObject[], id: string | undefined): ApiObject | undefined {
  return id === undefined ? undefined : list.find((item) => item.id === id);
}

function owner(state: SimState): ApiObject {
  return { account: state.account.name, domainid: state.account.domainid, domain: state.account.domain };
}

/** The hypervisor-side name, `i-<account id>-<db id>-VM`; CloudStack names volume snapshots after it. */
export function instanceName(vm: SimVm): string {
  return `i-2-${vm.dbId}-VM`;
}

export function renderVm(state: SimState, vm: SimVm): ApiObject {
  const template = byId(state.templates, vm.templateid);
  const offering = byId(state.serviceOfferings, vm.serviceofferingid);
  const zone = byId(state.zones, vm.zoneid);
  const nics = vm.nics.map((nic) => {
    const network = byId(state.networks, nic.networkid);
    return pick(
      {
        id: nic.id,
        networkid: nic.networkid,
        networkname: network?.name,
        ipaddress: nic.ipaddress,
        macaddress: nic.macaddress,
        isdefault: nic.isdefault,
        deviceid: String(nic.deviceid),
        type: network?.type,
        traffictype: 'Guest',
        gateway: nic.ipaddress ? network?.gateway : undefined,
        netmask: nic.ipaddress ? network?.netmask : undefined,
        broadcasturi: network?.broadcasturi,
        isolationuri: network?.broadcasturi,
        virtualmachineid: vm.id,
      },
      NIC_FIELDS,
    );
  });
  const running = vm.state === 'Running' || vm.state === 'Stopping';
  const object: ApiObject = {
    id: vm.id,
    name: vm.name,
    displayname: vm.displayname,
    instancename: instanceName(vm),
    state: vm.state,
    zoneid: vm.zoneid,
    zonename: zone?.name,
    hypervisor: 'KVM',
    ...(running ? HOST : {}),
    templateid: vm.templateid,
    templatename: template?.name,
    templatedisplaytext: template?.displaytext,
    serviceofferingid: vm.serviceofferingid,
    serviceofferingname: offering?.name,
    cpunumber: vm.cpunumber ?? offering?.cpunumber,
    cpuspeed: vm.cpuspeed ?? offering?.cpuspeed,
    memory: vm.memory ?? offering?.memory,
    ostypeid: template?.ostypeid,
    guestosid: template?.ostypeid,
    rootdeviceid: 0,
    rootdevicetype: 'ROOT',
    passwordenabled: false,
    haenable: false,
    isdynamicallyscalable: false,
    created: vm.created,
    userid: state.account.userid,
    username: state.account.username,
    ...owner(state),
    ...pendingJobFields(state, vm.id),
  };
  const rendered = pick(object, VM_FIELDS);
  rendered.nic = nics;
  return rendered;
}

export function renderVolume(state: SimState, volume: SimVolume): ApiObject {
  const vm = volume.vmId === undefined ? undefined : state.vms.find((v) => v.id === volume.vmId);
  const offering = byId(state.diskOfferings, volume.diskofferingid);
  const zone = byId(state.zones, volume.zoneid);
  const hasStorage = volume.state !== 'Allocated';
  return pick(
    {
      id: volume.id,
      name: volume.name,
      type: volume.type,
      state: volume.state,
      size: volume.sizeBytes,
      virtualsize: volume.sizeBytes,
      zoneid: volume.zoneid,
      zonename: zone?.name,
      deviceid: volume.deviceId,
      virtualmachineid: vm?.id,
      vmname: vm?.name,
      vmdisplayname: vm?.displayname,
      vmstate: vm?.state,
      path: hasStorage ? volume.id : undefined,
      ...(hasStorage ? STORAGE : {}),
      diskofferingid: volume.diskofferingid,
      diskofferingname: offering?.name,
      attached: volume.attached,
      created: volume.created,
      destroyed: volume.state === 'Destroy',
      hypervisor: hasStorage ? 'KVM' : 'None',
      provisioningtype: 'thin',
      displayvolume: true,
      isextractable: true,
      ...owner(state),
      ...pendingJobFields(state, volume.id),
    },
    VOLUME_FIELDS,
  );
}

export function renderSnapshot(state: SimState, snapshot: SimSnapshot): ApiObject {
  return pick(
    {
      id: snapshot.id,
      name: snapshot.name,
      volumeid: snapshot.volumeId,
      volumename: snapshot.volumeName,
      volumetype: snapshot.volumeType,
      state: snapshot.state,
      snapshottype: 'MANUAL',
      intervaltype: 'MANUAL',
      created: snapshot.created,
      physicalsize: snapshot.sizeBytes,
      virtualsize: snapshot.sizeBytes,
      revertable: snapshot.state === 'BackedUp',
      locationtype: 'PRIMARY',
      zoneid: snapshot.zoneid,
      ...owner(state),
      ...pendingJobFields(state, snapshot.id),
    },
    SNAPSHOT_FIELDS,
  );
}

export function renderVmSnapshot(state: SimState, snapshot: SimVmSnapshot): ApiObject {
  const parent = state.vmSnapshots.find((s) => s.id === snapshot.parentId);
  return pick(
    {
      id: snapshot.id,
      name: snapshot.name,
      displayname: snapshot.displayname,
      description: snapshot.description,
      virtualmachineid: snapshot.vmId,
      state: snapshot.state,
      type: snapshot.type,
      current: snapshot.current,
      parent: parent?.id,
      parentName: parent?.displayname,
      created: snapshot.created,
      zoneid: snapshot.zoneid,
      ...owner(state),
      ...pendingJobFields(state, snapshot.id),
    },
    VM_SNAPSHOT_FIELDS,
  );
}

/** A catalogue field as text ('' when absent or not a scalar). */
export function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}
