// Request shapes of the commands the product uses (lowercase names, as the server looks them up).

export type TemplateFilter =
  'featured' | 'self' | 'selfexecutable' | 'sharedexecutable' | 'executable' | 'community' | 'all';

export interface ListZonesRequest {
  id?: string;
  name?: string;
  available?: boolean;
  networktype?: 'Basic' | 'Advanced';
  keyword?: string;
}

export interface ListDomainsRequest {
  id?: string;
  name?: string;
  level?: number;
  listall?: boolean;
  keyword?: string;
}

export interface ListTemplatesRequest {
  templatefilter: TemplateFilter;
  id?: string;
  name?: string;
  zoneid?: string;
  hypervisor?: string;
  keyword?: string;
  listall?: boolean;
}

export interface ListServiceOfferingsRequest {
  id?: string;
  name?: string;
  virtualmachineid?: string;
  issystem?: boolean;
  keyword?: string;
}

export interface ListDiskOfferingsRequest {
  id?: string;
  name?: string;
  keyword?: string;
}

export interface ListNetworksRequest {
  id?: string;
  zoneid?: string;
  type?: 'isolated' | 'shared' | 'l2' | 'all' | 'Isolated' | 'Shared' | 'L2';
  canusefordeploy?: boolean;
  traffictype?: string;
  keyword?: string;
  listall?: boolean;
}

export interface ListVirtualMachinesRequest {
  id?: string;
  ids?: string[];
  name?: string;
  state?: string;
  zoneid?: string;
  networkid?: string;
  templateid?: string;
  keyword?: string;
  listall?: boolean;
}

export interface IpToNetwork {
  networkid: string;
  ip?: string;
  mac?: string;
}

export interface DeployVirtualMachineRequest {
  zoneid: string;
  serviceofferingid: string;
  templateid: string;
  /** Host name (RFC 1123 label). */
  name?: string;
  displayname?: string;
  /** NIC order = list order; the first is the default NIC. Mutually exclusive with iptonetworklist. */
  networkids?: string[];
  /** Per-NIC network, IP and MAC, in NIC order. */
  iptonetworklist?: IpToNetwork[];
  ipaddress?: string;
  macaddress?: string;
  /** Defaults to true on the server. */
  startvm?: boolean;
  rootdisksize?: number;
  diskofferingid?: string;
  size?: number;
  hypervisor?: string;
  /**
   * Sent as details[0].<key>; keys keep their case. A custom (dynamic) service offering needs cpuNumber and
   * memory (MB), and cpuSpeed (MHz) when the offering has none; rootdisksize (GiB) overrides the template's.
   */
  details?: DeployDetails;
}

export interface DeployDetails {
  cpuNumber?: number;
  cpuSpeed?: number;
  memory?: number;
  rootdisksize?: number;
  [key: string]: string | number | boolean | undefined;
}

export interface StopVirtualMachineRequest {
  id: string;
  forced?: boolean;
}

export interface DestroyVirtualMachineRequest {
  id: string;
  expunge?: boolean;
  volumeids?: string[];
}

export interface CreateVolumeRequest {
  name?: string;
  zoneid?: string;
  diskofferingid?: string;
  /** GiB, only for custom disk offerings. */
  size?: number;
  snapshotid?: string;
  virtualmachineid?: string;
}

export interface AttachVolumeRequest {
  id: string;
  virtualmachineid: string;
  deviceid?: number;
}

export type DetachVolumeRequest = { id: string } | { virtualmachineid: string; deviceid: number };

export interface ListVolumesRequest {
  id?: string;
  ids?: string[];
  virtualmachineid?: string;
  type?: 'ROOT' | 'DATADISK';
  name?: string;
  zoneid?: string;
  keyword?: string;
  listall?: boolean;
}

export interface ResizeVolumeRequest {
  id: string;
  /** GiB. */
  size?: number;
  diskofferingid?: string;
  shrinkok?: boolean;
}

export interface CreateSnapshotRequest {
  volumeid: string;
  name?: string;
  asyncbackup?: boolean;
}

export interface ListSnapshotsRequest {
  id?: string;
  volumeid?: string;
  name?: string;
  keyword?: string;
  listall?: boolean;
}

export interface CreateVmSnapshotRequest {
  virtualmachineid: string;
  /** The display name; CloudStack names the snapshot <instance name>_VS_<timestamp> itself. */
  name?: string;
  description?: string;
  /** With memory (DiskAndMemory): the VM must be running, and only a running VM can revert to it. */
  snapshotmemory?: boolean;
  quiescevm?: boolean;
}

export interface ListVmSnapshotsRequest {
  virtualmachineid?: string;
  vmsnapshotid?: string;
  name?: string;
  state?: string;
  keyword?: string;
  listall?: boolean;
}
