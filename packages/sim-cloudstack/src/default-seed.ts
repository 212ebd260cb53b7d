import { readFileSync } from 'node:fs';
import type { ApiObject, SimCatalogue, SimLimits } from './sim-types';

/** A seed file: the catalogue in API shape, plus the appliance VM that volumes attach to. */
export interface SimSeed extends SimCatalogue {
  limits?: Partial<SimLimits>;
  account?: { id: string; name: string; userid: string; username: string; domainid: string; domain: string };
  serverVm: {
    id: string;
    name: string;
    zoneid: string;
    templateid: string;
    serviceofferingid: string;
    networkid: string;
    ipaddress?: string;
    macaddress?: string;
  };
}

const ZONE_ID = '8f3c2a14-5b1e-4c3f-9d2a-7e6b1c0a9f01';
/** A second site: its networks must never be offered for a VM deployed in Zone-DC1. */
const ZONE2_ID = '8f3c2a14-5b1e-4c3f-9d2a-7e6b1c0a9f02';
const ROOT_DOMAIN_ID = '0c4a1f3e-2d6b-11ef-8b1a-525400a1b2c3';
const CREATED = '2025-09-01T08:00:00+0000';

export const DEFAULT_SERVER_VM_ID = '5a1b9c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
export const DEFAULT_ZONE_ID = ZONE_ID;
export const SECOND_ZONE_ID = ZONE2_ID;

const owner = { account: 'admin', domainid: ROOT_DOMAIN_ID, domain: 'ROOT' };

function template(id: string, name: string, ostypename: string, sizeGiB: number, extra: ApiObject = {}): ApiObject {
  return {
    id,
    name,
    displaytext: name,
    isready: true,
    status: 'Download Complete',
    format: 'QCOW2',
    hypervisor: 'KVM',
    size: sizeGiB * 1024 ** 3,
    ostypeid: `0a7f${id.slice(4)}`,
    ostypename,
    zoneid: ZONE_ID,
    zonename: 'Zone-DC1',
    templatetype: 'USER',
    passwordenabled: false,
    bootable: true,
    crossZones: false,
    isfeatured: true,
    ispublic: true,
    isextractable: false,
    created: CREATED,
    ...owner,
    ...extra,
  };
}

function offering(id: string, name: string, cpunumber: number, memory: number, extra: ApiObject = {}): ApiObject {
  const out: ApiObject = {
    id,
    name,
    displaytext: `${cpunumber} vCPU, ${memory / 1024} GB RAM`,
    cpunumber,
    cpuspeed: 2000,
    memory,
    iscustomized: false,
    storagetype: 'shared',
    provisioningtype: 'thin',
    offerha: false,
    limitcpuuse: false,
    isvolatile: false,
    issystem: false,
    defaultuse: false,
    created: CREATED,
    ...extra,
  };
  // CloudStack omits null fields: a custom offering has no cpunumber or memory at all.
  for (const [key, value] of Object.entries(out)) if (value === undefined) delete out[key];
  return out;
}

function diskOffering(id: string, name: string, disksize: number, iscustomized = false): ApiObject {
  return {
    id,
    name,
    displaytext: iscustomized ? 'Custom size disk' : `${disksize} GB disk`,
    disksize,
    iscustomized,
    storagetype: 'shared',
    provisioningtype: 'thin',
    displayoffering: true,
    created: CREATED,
  };
}

function network(
  id: string,
  name: string,
  type: 'Shared' | 'Isolated' | 'L2',
  vlan: number | undefined,
  cidr: string | undefined,
  extra: ApiObject = {},
): ApiObject {
  const base = cidr?.split('/')[0]?.split('.').slice(0, 3).join('.');
  const zone = extra.zoneid === ZONE2_ID ? { zoneid: ZONE2_ID, zonename: 'Zone-DC2' } : {};
  return {
    id,
    name,
    displaytext: name,
    type,
    state: type === 'Isolated' ? 'Implemented' : 'Setup',
    zoneid: ZONE_ID,
    zonename: 'Zone-DC1',
    ...(cidr ? { cidr, gateway: `${base}.1`, netmask: '255.255.255.0' } : {}),
    ...(vlan !== undefined ? { vlan: String(vlan), broadcasturi: `vlan://${vlan}` } : {}),
    broadcastdomaintype: 'Vlan',
    traffictype: 'Guest',
    networkofferingid: `7b2e${id.slice(4)}`,
    networkofferingname:
      type === 'Shared'
        ? 'DefaultSharedNetworkOffering'
        : type === 'L2'
          ? 'DefaultL2NetworkOffering'
          : 'DefaultIsolatedNetworkOfferingWithSourceNatService',
    canusefordeploy: true,
    isdefault: false,
    issystem: false,
    acltype: type === 'Shared' ? 'Domain' : 'Account',
    specifyipranges: type === 'Shared',
    physicalnetworkid: '3d9e4f50-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
    restartrequired: false,
    ispersistent: type !== 'Isolated',
    displaynetwork: true,
    ...(cidr ? { dns1: '10.10.0.53', networkdomain: 'cs.example.internal' } : {}),
    ...owner,
    ...extra,
    ...zone,
  };
}

/**
 * A realistic small estate for network mapping: Shared production VLANs and a DMZ, Isolated production
 * networks (one implemented, one not yet), Isolated and L2 test networks, a Shared VLAN whose IP range is
 * exhausted (canusefordeploy=false), and a second zone with its own network.
 */
export const DEFAULT_SEED: SimSeed = {
  zones: [
    {
      id: ZONE_ID,
      name: 'Zone-DC1',
      description: 'Primary data centre',
      networktype: 'Advanced',
      allocationstate: 'Enabled',
      localstorageenabled: false,
      securitygroupsenabled: false,
      dns1: '10.10.0.53',
      dns2: '10.10.0.54',
      internaldns1: '10.10.0.53',
      guestcidraddress: '10.1.1.0/24',
      dhcpprovider: 'VirtualRouter',
    },
    {
      id: ZONE2_ID,
      name: 'Zone-DC2',
      description: 'Secondary data centre',
      networktype: 'Advanced',
      allocationstate: 'Enabled',
      localstorageenabled: false,
      securitygroupsenabled: false,
      dns1: '10.20.0.53',
      dns2: '10.20.0.54',
      internaldns1: '10.20.0.53',
      guestcidraddress: '10.1.1.0/24',
      dhcpprovider: 'VirtualRouter',
    },
  ],
  domains: [
    { id: ROOT_DOMAIN_ID, name: 'ROOT', path: 'ROOT', level: 0, haschild: true, state: 'Active' },
    {
      id: '1e5b2a40-2d6b-11ef-8b1a-525400a1b2c3',
      name: 'Customers',
      path: 'ROOT/Customers',
      parentdomainid: ROOT_DOMAIN_ID,
      parentdomainname: 'ROOT',
      level: 1,
      haschild: false,
      state: 'Active',
    },
  ],
  templates: [
    template('c0a80101-7d1e-4b2a-9c3d-1e2f3a4b5c6d', 'MigrateKit Placeholder (KVM)', 'Other Linux (64-bit)', 2),
    template('c0a80102-7d1e-4b2a-9c3d-1e2f3a4b5c6d', 'Ubuntu 22.04 LTS', 'Ubuntu 22.04 LTS', 10),
    template('c0a80103-7d1e-4b2a-9c3d-1e2f3a4b5c6d', 'Rocky Linux 9', 'Rocky Linux 9', 10),
    template('c0a80104-7d1e-4b2a-9c3d-1e2f3a4b5c6d', 'Windows Server 2022 VirtIO', 'Windows Server 2022 (64-bit)', 40),
  ],
  serviceOfferings: [
    offering('e1f20001-aa11-4b22-8c33-d44e55f66a77', 'Small Instance', 1, 1024),
    offering('e1f20002-aa11-4b22-8c33-d44e55f66a77', 'Medium Instance', 2, 4096),
    offering('e1f20003-aa11-4b22-8c33-d44e55f66a77', 'Large Instance', 4, 8192),
    offering('e1f20004-aa11-4b22-8c33-d44e55f66a77', 'XLarge Instance', 8, 16384),
    // A custom (dynamic) offering has no cpunumber or memory: deployVirtualMachine takes them as details.
    offering('e1f20005-aa11-4b22-8c33-d44e55f66a77', 'Custom Instance', 0, 0, {
      iscustomized: true,
      displaytext: 'Custom CPU and memory',
      cpunumber: undefined,
      memory: undefined,
    }),
  ],
  diskOfferings: [
    diskOffering('d15c0001-bb22-4c33-9d44-e55f66a77b88', 'Custom', 0, true),
    diskOffering('d15c0002-bb22-4c33-9d44-e55f66a77b88', 'Small 20GB', 20),
    diskOffering('d15c0003-bb22-4c33-9d44-e55f66a77b88', 'Medium 100GB', 100),
    diskOffering('d15c0004-bb22-4c33-9d44-e55f66a77b88', 'Large 500GB', 500),
  ],
  networks: [
    network('a0000010-1111-4222-8333-944455556666', 'Mgmt-VLAN10', 'Shared', 10, '10.10.0.0/24'),
    network('a0000100-1111-4222-8333-944455556666', 'Prod-Web-VLAN100', 'Shared', 100, '10.100.0.0/24'),
    network('a0000150-1111-4222-8333-944455556666', 'Prod-App-VLAN150', 'Shared', 150, '10.150.0.0/24'),
    network('a0000200-1111-4222-8333-944455556666', 'Prod-DB-VLAN200', 'Shared', 200, '10.200.0.0/24'),
    network('a0000253-1111-4222-8333-944455556666', 'DMZ-VLAN253', 'Shared', 253, '192.168.253.0/24'),
    network('a0000300-1111-4222-8333-944455556666', 'Legacy-VLAN300', 'Shared', 300, '10.30.0.0/24', {
      displaytext: 'Legacy VLAN 300 (IP range exhausted)',
      canusefordeploy: false,
    }),
    network('a0000910-1111-4222-8333-944455556666', 'Prod-Billing-Isolated', 'Isolated', 910, '10.210.0.0/24'),
    // Allocated: created but never used, so no VLAN is assigned yet (CloudStack implements it on first deploy).
    network('a0000920-1111-4222-8333-944455556666', 'Prod-Analytics-Isolated', 'Isolated', undefined, '10.220.0.0/24', {
      state: 'Allocated',
    }),
    network('a0000900-1111-4222-8333-944455556666', 'DR-Test-Isolated', 'Isolated', 900, '10.250.0.0/24'),
    network('a0000930-1111-4222-8333-944455556666', 'Test-Bubble-Isolated', 'Isolated', 930, '10.230.0.0/24'),
    network('a0000901-1111-4222-8333-944455556666', 'Lab-L2-Test', 'L2', 901, undefined),
    network('a0000902-1111-4222-8333-944455556666', 'Dev-L2-Bubble', 'L2', 902, undefined),
    network('b0000100-1111-4222-8333-944455556666', 'DC2-Web-VLAN100', 'Shared', 100, '10.120.0.0/24', {
      zoneid: ZONE2_ID,
      dns1: '10.20.0.53',
    }),
  ],
  limits: { maxDataVolumesLimit: 24 },
  serverVm: {
    id: DEFAULT_SERVER_VM_ID,
    name: 'migratekit-appliance',
    zoneid: ZONE_ID,
    templateid: 'c0a80102-7d1e-4b2a-9c3d-1e2f3a4b5c6d',
    serviceofferingid: 'e1f20003-aa11-4b22-8c33-d44e55f66a77',
    networkid: 'a0000010-1111-4222-8333-944455556666',
    ipaddress: '10.10.0.20',
    macaddress: '02:00:0a:0a:00:14',
  },
};

/** Reads a seed JSON file (same shape as DEFAULT_SEED); missing catalogue lists fall back to the default. */
export function loadSeedFile(path: string): SimSeed {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<SimSeed>;
  if (!parsed.serverVm || typeof parsed.serverVm.id !== 'string') throw new Error(`${path}: serverVm.id is required`);
  return { ...DEFAULT_SEED, ...parsed, serverVm: parsed.serverVm };
}
