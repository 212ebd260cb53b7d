// Response objects as CloudStack returns them (JSON, lowercase field names, null fields omitted).
// Only the fields the product reads are typed; CloudStack sends many more.

export interface Zone {
  id: string;
  name: string;
  networktype?: string;
  allocationstate?: string;
  localstorageenabled?: boolean;
  securitygroupsenabled?: boolean;
  dns1?: string;
  description?: string;
}

export interface Domain {
  id: string;
  name: string;
  path?: string;
  parentdomainid?: string;
  level?: number;
  haschild?: boolean;
}

export interface Template {
  id: string;
  name: string;
  displaytext?: string;
  isready?: boolean;
  status?: string;
  format?: string;
  hypervisor?: string;
  size?: number;
  ostypeid?: string;
  ostypename?: string;
  zoneid?: string;
  templatetype?: string;
  passwordenabled?: boolean;
  bootable?: boolean;
  crossZones?: boolean;
}

export interface ServiceOffering {
  id: string;
  name: string;
  displaytext?: string;
  cpunumber?: number;
  cpuspeed?: number;
  memory?: number;
  iscustomized?: boolean;
  storagetype?: string;
  offerha?: boolean;
}

export interface DiskOffering {
  id: string;
  name: string;
  displaytext?: string;
  disksize?: number;
  iscustomized?: boolean;
  storagetype?: string;
  provisioningtype?: string;
  tags?: string;
}

export interface Network {
  id: string;
  name: string;
  displaytext?: string;
  /** Isolated, Shared or L2. */
  type: string;
  state?: string;
  zoneid?: string;
  zonename?: string;
  cidr?: string;
  gateway?: string;
  netmask?: string;
  vlan?: string;
  broadcasturi?: string;
  traffictype?: string;
  networkofferingid?: string;
  canusefordeploy?: boolean;
  isdefault?: boolean;
  acltype?: string;
  specifyipranges?: boolean;
}

export interface Nic {
  id: string;
  networkid: string;
  networkname?: string;
  ipaddress?: string;
  macaddress: string;
  isdefault: boolean;
  deviceid?: string;
  type?: string;
  traffictype?: string;
  gateway?: string;
  netmask?: string;
  broadcasturi?: string;
}

export type VirtualMachineState =
  | 'Starting'
  | 'Running'
  | 'Stopping'
  | 'Stopped'
  | 'Destroyed'
  | 'Expunging'
  | 'Migrating'
  | 'Error'
  | 'Unknown'
  | 'Shutdown';

export interface VirtualMachine {
  id: string;
  name: string;
  displayname?: string;
  instancename?: string;
  state: VirtualMachineState;
  zoneid: string;
  zonename?: string;
  hypervisor?: string;
  templateid?: string;
  serviceofferingid?: string;
  serviceofferingname?: string;
  cpunumber?: number;
  memory?: number;
  rootdeviceid?: number;
  nic?: Nic[];
  created?: string;
  jobid?: string;
  jobstatus?: number;
}

export type VolumeType = 'ROOT' | 'DATADISK' | 'SWAP' | 'ISO' | 'UNKNOWN';

export interface Volume {
  id: string;
  name: string;
  type: VolumeType;
  state: string;
  size: number;
  zoneid: string;
  zonename?: string;
  deviceid?: number;
  virtualmachineid?: string;
  vmname?: string;
  vmstate?: string;
  virtualsize?: number;
  physicalsize?: number;
  path?: string;
  storage?: string;
  storageid?: string;
  storagetype?: string;
  diskofferingid?: string;
  attached?: string;
  created?: string;
  hypervisor?: string;
  provisioningtype?: string;
  jobid?: string;
  jobstatus?: number;
}

export interface Snapshot {
  id: string;
  name?: string;
  volumeid: string;
  volumename?: string;
  volumetype?: string;
  state: string;
  snapshottype?: string;
  intervaltype?: string;
  created?: string;
  physicalsize?: number;
  virtualsize?: number;
  revertable?: boolean;
  locationtype?: string;
  zoneid?: string;
  jobid?: string;
  jobstatus?: number;
}

export interface VmSnapshot {
  id: string;
  name: string;
  displayname?: string;
  description?: string;
  virtualmachineid: string;
  /** Allocated, Creating, Ready, Reverting, Expunging, Error. */
  state: string;
  type: 'Disk' | 'DiskAndMemory';
  current?: boolean;
  parent?: string;
  parentName?: string;
  created?: string;
  zoneid?: string;
  jobid?: string;
  jobstatus?: number;
}

export interface Capabilities {
  cloudstackversion?: string;
  kvmsnapshotenabled?: boolean;
  apilimitmax?: number;
  apilimitinterval?: number;
  [field: string]: unknown;
}

export interface ApiDescription {
  name: string;
  isasync: boolean;
  description?: string;
}

export interface SuccessResponse {
  success: boolean | string;
  displaytext?: string;
}

/** 0 pending, 1 succeeded, 2 failed, 3 cancelled (JobInfo.Status). */
export type JobStatus = 0 | 1 | 2 | 3;

export interface AsyncJobResult {
  jobid: string;
  jobstatus: JobStatus;
  jobprocstatus?: number;
  jobresultcode?: number;
  jobresulttype?: string;
  jobresult?: Record<string, unknown>;
  cmd?: string;
  jobinstancetype?: string;
  jobinstanceid?: string;
  created?: string;
  completed?: string;
}

/** The immediate reply of an async command; create commands also carry the new object's id. */
export interface AsyncSubmit {
  jobid: string;
  id?: string;
}
