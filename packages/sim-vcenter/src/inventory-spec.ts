// The simulator's configurable estate (a JSON file or an object). Sizes are bytes unless named otherwise.

export type GuestFamily = 'linux' | 'windows';
export type Firmware = 'bios' | 'efi';
export type PowerState = 'poweredOn' | 'poweredOff' | 'suspended';
export type ToolsStatus = 'toolsOk' | 'toolsOld' | 'toolsNotInstalled';
export type NicAdapter = 'vmxnet3' | 'e1000e' | 'e1000';
export type ScsiControllerType = 'pvscsi' | 'lsilogic' | 'lsilogic-sas';

export interface DiskSpec {
  capacityGiB?: number;
  /** Exact capacity in bytes (wins over capacityGiB); a multiple of 512. */
  capacityBytes?: number;
  datastore: string;
  thin?: boolean;
  /** SCSI bus number (0-3); disks on a bus get unit numbers in order, skipping 7. */
  controller?: number;
  /** Bytes of pseudo-random data written at creation, spread over the disk (default: none). */
  seedBytes?: number;
  /**
   * A raw disk image (e.g. a real guest's disk) whose content a new disk starts with instead of seed data. It is
   * copied once, when the disk file is created, and only read. The capacity must hold it. The random guest-write
   * generator leaves such a disk alone: random bytes would break the guest's file systems.
   */
  image?: string;
}

export interface NicSpec {
  /** A standard port group or distributed port group name of the VM's datacenter. */
  network: string;
  adapter?: NicAdapter;
  mac?: string;
  connected?: boolean;
}

export interface VmSpec {
  name: string;
  /** Host name inside the datacenter (a cluster member or a standalone host). */
  host: string;
  /** Subfolder path under the datacenter's vm folder, e.g. "Production/Web". */
  folder?: string;
  guest: GuestFamily;
  guestId: string;
  guestFullName: string;
  firmware?: Firmware;
  cpus?: number;
  memoryMB?: number;
  powerState?: PowerState;
  tools?: ToolsStatus;
  cbtEnabled?: boolean;
  hostName?: string;
  ipAddress?: string;
  scsiController?: ScsiControllerType;
  disks: DiskSpec[];
  nics: NicSpec[];
  annotation?: string;
}

export interface HostSpec {
  name: string;
  cpuCores?: number;
  memoryGiB?: number;
}

export interface ClusterSpec {
  name: string;
  hosts: HostSpec[];
}

export interface PortGroupSpec {
  name: string;
  vlan?: number;
}

export interface DistributedSwitchSpec {
  name: string;
  portgroups: PortGroupSpec[];
}

export interface DatastoreSpec {
  name: string;
  capacityGiB: number;
}

export interface DatacenterSpec {
  name: string;
  clusters?: ClusterSpec[];
  /** Standalone hosts. */
  hosts?: HostSpec[];
  datastores: DatastoreSpec[];
  /** Standard (vSwitch) port groups. */
  networks?: PortGroupSpec[];
  distributedSwitches?: DistributedSwitchSpec[];
  vms: VmSpec[];
}

export interface InventorySpec {
  datacenters: DatacenterSpec[];
}
