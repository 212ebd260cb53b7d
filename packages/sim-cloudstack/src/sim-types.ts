// The simulator's own records. Seeded catalogue objects (zones, offerings, networks, ...) are kept in API
// shape; VMs, volumes, snapshots and jobs are internal records rendered on the way out.

export type ApiObject = Record<string, unknown>;

export interface SimNic {
  id: string;
  networkid: string;
  ipaddress?: string;
  macaddress: string;
  isdefault: boolean;
  deviceid: number;
}

export interface SimVm {
  id: string;
  /** The database id: used in instance names (i-2-<dbId>-VM), ROOT-<dbId> and some error texts. */
  dbId: number;
  name: string;
  displayname: string;
  zoneid: string;
  templateid: string;
  serviceofferingid: string;
  /** Set for a custom (dynamic) offering: what details[0].cpuNumber / cpuSpeed / memory asked for. */
  cpunumber?: number;
  cpuspeed?: number;
  memory?: number;
  state: string;
  created: string;
  nics: SimNic[];
  /** The migration appliance: attaching a volume here creates its /dev/disk/by-id link. */
  isServer?: boolean;
}

export interface SimVolume {
  id: string;
  dbId: number;
  name: string;
  type: 'ROOT' | 'DATADISK';
  state: string;
  sizeBytes: number;
  zoneid: string;
  diskofferingid?: string;
  vmId?: string;
  deviceId?: number;
  attached?: string;
  created: string;
  /** Backing file, relative to the data dir; exists once the volume has storage (Ready). */
  file: string;
}

export interface SimSnapshot {
  id: string;
  name: string;
  volumeId: string;
  volumeName: string;
  volumeType: string;
  zoneid: string;
  state: string;
  sizeBytes: number;
  created: string;
  file: string;
}

/** A VM snapshot (disk-only or with memory): a copy of every volume of the VM at that moment. */
export interface SimVmSnapshot {
  id: string;
  /** <instance name>_VS_<yyyyMMddHHmmss>; the `name` parameter becomes the display name. */
  name: string;
  displayname: string;
  description?: string;
  vmId: string;
  zoneid: string;
  type: 'Disk' | 'DiskAndMemory';
  state: string;
  current: boolean;
  parentId?: string;
  created: string;
  /** The copy of each volume, relative to the data dir. */
  files: { volumeId: string; file: string }[];
}

/** What a job does when its latency has passed; serializable so pending jobs survive a restart. */
export type JobAction =
  | { kind: 'deploy'; vmId: string; start: boolean }
  | { kind: 'start'; vmId: string }
  | { kind: 'stop'; vmId: string }
  | { kind: 'reboot'; vmId: string }
  | { kind: 'destroy'; vmId: string; expunge: boolean; volumeIds: string[] }
  | { kind: 'createVolume'; volumeId: string; attachTo?: { vmId: string; deviceId: number }; fromSnapshotId?: string }
  | { kind: 'attach'; volumeId: string; vmId: string; deviceId: number }
  | { kind: 'detach'; volumeId: string; vmId: string }
  | { kind: 'resize'; volumeId: string; sizeBytes: number; finalState: string }
  | { kind: 'createSnapshot'; snapshotId: string }
  | { kind: 'revertSnapshot'; snapshotId: string }
  | { kind: 'deleteSnapshot'; snapshotId: string }
  | { kind: 'createVmSnapshot'; vmSnapshotId: string }
  | { kind: 'revertToVmSnapshot'; vmSnapshotId: string }
  | { kind: 'deleteVmSnapshot'; vmSnapshotId: string }
  /** A job that failed its preconditions: it ends in status 2 without touching anything. */
  | { kind: 'fail'; errorcode: number; errortext: string };

/** Records as they were before the job changed them, restored when the job fails. */
export interface JobUndo {
  vms: { id: string; before: SimVm | null }[];
  volumes: { id: string; before: SimVolume | null }[];
  snapshots: { id: string; before: SimSnapshot | null }[];
  /** Absent in jobs persisted before VM snapshots existed. */
  vmSnapshots?: { id: string; before: SimVmSnapshot | null }[];
}

export interface SimJob {
  jobid: string;
  command: string;
  instanceType: 'VirtualMachine' | 'Volume' | 'Snapshot' | 'VmSnapshot';
  instanceId: string;
  status: 0 | 1 | 2;
  resultCode: number;
  result?: ApiObject;
  created: string;
  completed?: string;
  /** Epoch ms when the job finishes. */
  dueAt: number;
  action: JobAction;
  undo: JobUndo;
}

export interface SimLimits {
  /** hypervisor_capabilities.max_data_volumes_limit; device ids run 1..limit+1, skipping 3. */
  maxDataVolumesLimit: number;
}

export interface SimCatalogue {
  zones: ApiObject[];
  domains: ApiObject[];
  templates: ApiObject[];
  serviceOfferings: ApiObject[];
  diskOfferings: ApiObject[];
  networks: ApiObject[];
}

export interface SimState extends SimCatalogue {
  version: 1;
  nextDbId: number;
  limits: SimLimits;
  account: { id: string; name: string; userid: string; username: string; domainid: string; domain: string };
  vms: SimVm[];
  volumes: SimVolume[];
  snapshots: SimSnapshot[];
  vmSnapshots: SimVmSnapshot[];
  jobs: SimJob[];
}
