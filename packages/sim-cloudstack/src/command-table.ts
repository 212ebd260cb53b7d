// What the simulator implements, machine-readable: every command with its async flag, the parameters it
// reads (name, listApis type, required) and the fields its objects may carry. The dispatcher enforces
// required parameters from here, the renderers only emit declared fields, and a conformance test checks the
// whole table against a real CloudStack's listApis output.

import {
  ZONE_FIELDS,
  DOMAIN_FIELDS,
  TEMPLATE_FIELDS,
  SERVICE_OFFERING_FIELDS,
  DISK_OFFERING_FIELDS,
  NETWORK_FIELDS,
  VM_FIELDS,
  VOLUME_FIELDS,
  SNAPSHOT_FIELDS,
  VM_SNAPSHOT_FIELDS,
  PUBLIC_IP_FIELDS,
  FORWARDING_RULE_FIELDS,
  SUCCESS_FIELDS,
  JOB_FIELDS,
  CAPABILITY_FIELDS,
} from './response-fields';

export * from './response-fields';

export type ParamType = 'uuid' | 'string' | 'long' | 'integer' | 'boolean' | 'map' | 'list';

export interface ParamSpec {
  type: ParamType;
  required: boolean;
}

export interface CommandSpec {
  isasync: boolean;
  params: Record<string, ParamSpec>;
  /** The key of the object (or list) in the response or job result, e.g. `volume`. */
  responseKey?: string;
  /** Fields the response objects may carry; nested list fields as `nic.ipaddress`. */
  responseFields: readonly string[];
}

/** 'id:uuid*' -> { id: { type: 'uuid', required: true } } */
function params(...specs: string[]): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  for (const spec of specs) {
    const [name = '', rawType = ''] = spec.split(':');
    const required = rawType.endsWith('*');
    out[name] = { type: rawType.replace('*', '') as ParamType, required };
  }
  return out;
}

const PAGING = ['keyword:string', 'page:integer', 'pagesize:integer'];
const VM_RESPONSE = { responseKey: 'virtualmachine', responseFields: VM_FIELDS };
const VOLUME_RESPONSE = { responseKey: 'volume', responseFields: VOLUME_FIELDS };
const SNAPSHOT_RESPONSE = { responseKey: 'snapshot', responseFields: SNAPSHOT_FIELDS };
const VM_SNAPSHOT_RESPONSE = { responseKey: 'vmsnapshot', responseFields: VM_SNAPSHOT_FIELDS };

export const COMMAND_TABLE = {
  listZones: {
    isasync: false,
    params: params('id:uuid', 'name:string', 'available:boolean', 'networktype:string', ...PAGING),
    responseKey: 'zone',
    responseFields: ZONE_FIELDS,
  },
  listDomains: {
    isasync: false,
    params: params('id:uuid', 'name:string', 'level:integer', 'listall:boolean', ...PAGING),
    responseKey: 'domain',
    responseFields: DOMAIN_FIELDS,
  },
  listTemplates: {
    isasync: false,
    params: params(
      'templatefilter:string*',
      'id:uuid',
      'ids:list',
      'name:string',
      'zoneid:uuid',
      'hypervisor:string',
      'listall:boolean',
      ...PAGING,
    ),
    responseKey: 'template',
    responseFields: TEMPLATE_FIELDS,
  },
  listServiceOfferings: {
    isasync: false,
    params: params('id:uuid', 'name:string', 'issystem:boolean', 'virtualmachineid:uuid', 'listall:boolean', ...PAGING),
    responseKey: 'serviceoffering',
    responseFields: SERVICE_OFFERING_FIELDS,
  },
  listDiskOfferings: {
    isasync: false,
    params: params('id:uuid', 'name:string', 'listall:boolean', ...PAGING),
    responseKey: 'diskoffering',
    responseFields: DISK_OFFERING_FIELDS,
  },
  listNetworks: {
    isasync: false,
    params: params(
      'id:uuid',
      'zoneid:uuid',
      'type:string',
      'canusefordeploy:boolean',
      'traffictype:string',
      'issystem:boolean',
      'listall:boolean',
      ...PAGING,
    ),
    responseKey: 'network',
    responseFields: NETWORK_FIELDS,
  },
  listVirtualMachines: {
    isasync: false,
    params: params(
      'id:uuid',
      'ids:list',
      'name:string',
      'state:string',
      'zoneid:uuid',
      'networkid:uuid',
      'templateid:uuid',
      'listall:boolean',
      ...PAGING,
    ),
    ...VM_RESPONSE,
  },
  deployVirtualMachine: {
    isasync: true,
    params: params(
      'zoneid:uuid*',
      'serviceofferingid:uuid*',
      'templateid:uuid*',
      'name:string',
      'displayname:string',
      'networkids:list',
      'iptonetworklist:map',
      'ipaddress:string',
      'macaddress:string',
      'startvm:boolean',
      'rootdisksize:long',
      'diskofferingid:uuid',
      'size:long',
      'hypervisor:string',
      'details:map',
    ),
    ...VM_RESPONSE,
  },
  startVirtualMachine: { isasync: true, params: params('id:uuid*'), ...VM_RESPONSE },
  stopVirtualMachine: { isasync: true, params: params('id:uuid*', 'forced:boolean'), ...VM_RESPONSE },
  rebootVirtualMachine: { isasync: true, params: params('id:uuid*'), ...VM_RESPONSE },
  destroyVirtualMachine: {
    isasync: true,
    params: params('id:uuid*', 'expunge:boolean', 'volumeids:list'),
    ...VM_RESPONSE,
  },
  createVolume: {
    isasync: true,
    params: params(
      'name:string',
      'zoneid:uuid',
      'diskofferingid:uuid',
      'size:long',
      'snapshotid:uuid',
      'virtualmachineid:uuid',
    ),
    ...VOLUME_RESPONSE,
  },
  attachVolume: {
    isasync: true,
    params: params('id:uuid*', 'virtualmachineid:uuid*', 'deviceid:long'),
    ...VOLUME_RESPONSE,
  },
  detachVolume: {
    isasync: true,
    params: params('id:uuid', 'virtualmachineid:uuid', 'deviceid:long'),
    ...VOLUME_RESPONSE,
  },
  resizeVolume: {
    isasync: true,
    params: params('id:uuid*', 'size:long', 'diskofferingid:uuid', 'shrinkok:boolean'),
    ...VOLUME_RESPONSE,
  },
  deleteVolume: { isasync: false, params: params('id:uuid*'), responseFields: SUCCESS_FIELDS },
  listVolumes: {
    isasync: false,
    params: params(
      'id:uuid',
      'ids:list',
      'virtualmachineid:uuid',
      'type:string',
      'name:string',
      'zoneid:uuid',
      'listall:boolean',
      ...PAGING,
    ),
    ...VOLUME_RESPONSE,
  },
  createSnapshot: {
    isasync: true,
    params: params('volumeid:uuid*', 'name:string', 'asyncbackup:boolean'),
    ...SNAPSHOT_RESPONSE,
  },
  listSnapshots: {
    isasync: false,
    params: params('id:uuid', 'ids:list', 'volumeid:uuid', 'name:string', 'zoneid:uuid', 'listall:boolean', ...PAGING),
    ...SNAPSHOT_RESPONSE,
  },
  revertSnapshot: { isasync: true, params: params('id:uuid*'), ...SNAPSHOT_RESPONSE },
  deleteSnapshot: { isasync: true, params: params('id:uuid*'), responseFields: SUCCESS_FIELDS },
  createVMSnapshot: {
    isasync: true,
    params: params(
      'virtualmachineid:uuid*',
      'name:string',
      'description:string',
      'snapshotmemory:boolean',
      'quiescevm:boolean',
    ),
    ...VM_SNAPSHOT_RESPONSE,
  },
  listVMSnapshot: {
    isasync: false,
    params: params(
      'virtualmachineid:uuid',
      'vmsnapshotid:uuid',
      'vmsnapshotids:list',
      'name:string',
      'state:string',
      'listall:boolean',
      ...PAGING,
    ),
    // ListVMSnapshotCmd names its items vmSnapshot; the create job's result object is vmsnapshot.
    responseKey: 'vmSnapshot',
    responseFields: VM_SNAPSHOT_FIELDS,
  },
  revertToVMSnapshot: { isasync: true, params: params('vmsnapshotid:uuid*'), ...VM_RESPONSE },
  deleteVMSnapshot: { isasync: true, params: params('vmsnapshotid:uuid*'), responseFields: SUCCESS_FIELDS },
  listPublicIpAddresses: {
    isasync: false,
    params: params(
      'id:uuid',
      'ipaddress:string',
      'zoneid:uuid',
      'associatednetworkid:uuid',
      'allocatedonly:boolean',
      'issourcenat:boolean',
      'isstaticnat:boolean',
      'listall:boolean',
      ...PAGING,
    ),
    responseKey: 'publicipaddress',
    responseFields: PUBLIC_IP_FIELDS,
  },
  listPortForwardingRules: {
    isasync: false,
    params: params('id:uuid', 'ipaddressid:uuid', 'networkid:uuid', 'listall:boolean', ...PAGING),
    responseKey: 'portforwardingrule',
    responseFields: FORWARDING_RULE_FIELDS,
  },
  listIpForwardingRules: {
    isasync: false,
    params: params('id:uuid', 'ipaddressid:uuid', 'virtualmachineid:uuid', 'listall:boolean', ...PAGING),
    responseKey: 'ipforwardingrule',
    responseFields: FORWARDING_RULE_FIELDS,
  },
  queryAsyncJobResult: { isasync: false, params: params('jobid:uuid*'), responseFields: JOB_FIELDS },
  listCapabilities: { isasync: false, params: {}, responseKey: 'capability', responseFields: CAPABILITY_FIELDS },
  listApis: {
    isasync: false,
    params: params('name:string'),
    responseKey: 'api',
    responseFields: [
      'name',
      'description',
      'isasync',
      'params.name',
      'params.type',
      'params.required',
      'response.name',
    ],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_TABLE;

export function isImplemented(command: string): command is CommandName {
  return Object.hasOwn(COMMAND_TABLE, command);
}
