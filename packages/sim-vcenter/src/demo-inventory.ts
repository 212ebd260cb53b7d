import type { DiskSpec, InventorySpec, NicSpec, VmSpec } from './inventory-spec';

// The demo estate (DESIGN section 1): one datacenter, a three-host cluster plus a DMZ host, standard and
// distributed port groups with real-looking names, a dozen Linux and Windows VMs with several disks and NICs.

const MiB = 1024 * 1024;

function disk(capacityGiB: number, seedMiB: number, datastore = 'DS-SSD-01', controller = 0): DiskSpec {
  return { capacityGiB, datastore, thin: true, controller, seedBytes: seedMiB * MiB };
}

function nic(network: string, adapter: NicSpec['adapter'] = 'vmxnet3'): NicSpec {
  return { network, adapter, connected: true };
}

const linux = { guest: 'linux', tools: 'toolsOk' } as const;
const windows = { guest: 'windows', tools: 'toolsOk', firmware: 'efi' } as const;

const vms: VmSpec[] = [
  {
    ...linux,
    name: 'web-01',
    host: 'esx01.lab.local',
    folder: 'Production/Web',
    guestId: 'ubuntu64Guest',
    guestFullName: 'Ubuntu Linux (64-bit)',
    firmware: 'efi',
    cpus: 2,
    memoryMB: 4096,
    ipAddress: '10.100.0.11',
    disks: [disk(8, 8), disk(4, 4)],
    nics: [nic('Prod-Web-100'), nic('VLAN 253 - DMZ')],
  },
  {
    ...linux,
    name: 'web-02',
    host: 'esx02.lab.local',
    folder: 'Production/Web',
    guestId: 'ubuntu64Guest',
    guestFullName: 'Ubuntu Linux (64-bit)',
    firmware: 'efi',
    cpus: 2,
    memoryMB: 4096,
    ipAddress: '10.100.0.12',
    disks: [disk(8, 8), disk(4, 4)],
    nics: [nic('Prod-Web-100'), nic('VLAN 253 - DMZ')],
  },
  {
    ...linux,
    name: 'app-01',
    host: 'esx02.lab.local',
    folder: 'Production/App',
    guestId: 'rhel9_64Guest',
    guestFullName: 'Red Hat Enterprise Linux 9 (64-bit)',
    cpus: 4,
    memoryMB: 8192,
    ipAddress: '10.150.0.21',
    disks: [disk(6, 6), disk(2, 2, 'DS-SAS-02')],
    nics: [nic('Prod-App-150')],
  },
  {
    ...windows,
    name: 'app-02-win',
    host: 'esx03.lab.local',
    folder: 'Production/App',
    guestId: 'windows2019srv_64Guest',
    guestFullName: 'Microsoft Windows Server 2019 (64-bit)',
    cpus: 4,
    memoryMB: 8192,
    ipAddress: '10.150.0.22',
    scsiController: 'lsilogic-sas',
    disks: [disk(8, 8), disk(4, 3, 'DS-SAS-02')],
    nics: [nic('Prod-App-150', 'e1000e')],
  },
  {
    ...linux,
    name: 'db-01',
    host: 'esx01.lab.local',
    folder: 'Production/Database',
    guestId: 'rhel8_64Guest',
    guestFullName: 'Red Hat Enterprise Linux 8 (64-bit)',
    cpus: 8,
    memoryMB: 16384,
    ipAddress: '10.200.0.31',
    disks: [disk(8, 6), disk(8, 8, 'DS-SSD-01', 1), disk(4, 2, 'DS-SAS-02', 1)],
    nics: [nic('DB-Backend-200'), nic('Backup-300')],
  },
  {
    ...windows,
    name: 'db-02-mssql',
    host: 'esx03.lab.local',
    folder: 'Production/Database',
    guestId: 'windows2019srv_64Guest',
    guestFullName: 'Microsoft Windows Server 2019 (64-bit)',
    cpus: 8,
    memoryMB: 16384,
    ipAddress: '10.200.0.32',
    scsiController: 'lsilogic-sas',
    disks: [disk(8, 8), disk(6, 6, 'DS-SSD-01', 1)],
    nics: [nic('DB-Backend-200', 'e1000e'), nic('Backup-300', 'e1000e')],
  },
  {
    ...windows,
    name: 'dc-01',
    host: 'esx01.lab.local',
    folder: 'Infrastructure',
    guestId: 'windows2016srv_64Guest',
    guestFullName: 'Microsoft Windows Server 2016 (64-bit)',
    firmware: 'bios',
    cpus: 2,
    memoryMB: 4096,
    ipAddress: '10.10.0.5',
    scsiController: 'lsilogic-sas',
    disks: [disk(4, 4)],
    nics: [nic('Mgmt-VLAN-10', 'e1000e')],
  },
  {
    ...linux,
    name: 'mail-01',
    host: 'esx02.lab.local',
    folder: 'Infrastructure',
    guestId: 'debian11_64Guest',
    guestFullName: 'Debian GNU/Linux 11 (64-bit)',
    cpus: 2,
    memoryMB: 4096,
    ipAddress: '10.100.0.25',
    disks: [disk(4, 3), disk(2, 1, 'DS-SAS-02')],
    nics: [nic('Prod-Web-100'), nic('Mgmt-VLAN-10')],
  },
  {
    ...windows,
    name: 'fileserver-01',
    host: 'esx03.lab.local',
    folder: 'Infrastructure',
    guestId: 'windows2019srv_64Guest',
    guestFullName: 'Microsoft Windows Server 2022 (64-bit)',
    cpus: 2,
    memoryMB: 8192,
    ipAddress: '10.10.0.20',
    scsiController: 'lsilogic-sas',
    disks: [disk(4, 3), disk(8, 8, 'DS-SAS-02'), disk(8, 4, 'DS-SAS-02')],
    nics: [nic('Mgmt-VLAN-10', 'e1000e'), nic('Backup-300', 'e1000e')],
  },
  {
    ...linux,
    name: 'dmz-proxy-01',
    host: 'esx-dmz01.lab.local',
    folder: 'DMZ',
    guestId: 'debian11_64Guest',
    guestFullName: 'Debian GNU/Linux 11 (64-bit)',
    cpus: 1,
    memoryMB: 2048,
    ipAddress: '192.168.253.10',
    disks: [disk(2, 2, 'DS-DMZ-01')],
    nics: [nic('VLAN 253 - DMZ', 'e1000e'), nic('VM Network', 'vmxnet3')],
  },
  {
    ...linux,
    name: 'monitoring-01',
    host: 'esx02.lab.local',
    folder: 'Infrastructure',
    guestId: 'centos7_64Guest',
    guestFullName: 'CentOS 7 (64-bit)',
    cpus: 2,
    memoryMB: 4096,
    powerState: 'poweredOff',
    disks: [disk(4, 2), disk(1, 1)],
    nics: [nic('Mgmt-VLAN-10')],
  },
  {
    ...windows,
    name: 'legacy-erp-01',
    host: 'esx01.lab.local',
    folder: 'Legacy',
    guestId: 'windows8Server64Guest',
    guestFullName: 'Microsoft Windows Server 2012 (64-bit)',
    firmware: 'bios',
    tools: 'toolsOld',
    cpus: 2,
    memoryMB: 6144,
    powerState: 'poweredOff',
    scsiController: 'lsilogic-sas',
    disks: [disk(6, 4), disk(2, 1)],
    nics: [nic('DB-Backend-200', 'e1000'), nic('Prod-App-150', 'e1000')],
  },
];

export const demoInventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Primary',
      clusters: [
        {
          name: 'Prod-Cluster',
          hosts: [{ name: 'esx01.lab.local' }, { name: 'esx02.lab.local' }, { name: 'esx03.lab.local' }],
        },
      ],
      hosts: [{ name: 'esx-dmz01.lab.local', cpuCores: 8, memoryGiB: 64 }],
      datastores: [
        { name: 'DS-SSD-01', capacityGiB: 2048 },
        { name: 'DS-SAS-02', capacityGiB: 4096 },
        { name: 'DS-DMZ-01', capacityGiB: 512 },
      ],
      networks: [{ name: 'VM Network' }, { name: 'VLAN 253 - DMZ', vlan: 253 }, { name: 'Mgmt-VLAN-10', vlan: 10 }],
      distributedSwitches: [
        {
          name: 'DSwitch-Prod',
          portgroups: [
            { name: 'Prod-Web-100', vlan: 100 },
            { name: 'Prod-App-150', vlan: 150 },
            { name: 'DB-Backend-200', vlan: 200 },
            { name: 'Backup-300', vlan: 300 },
          ],
        },
      ],
      vms,
    },
  ],
};
