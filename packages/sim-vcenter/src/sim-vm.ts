import { SimEntity } from './managed-object';
import type { ManagedObject } from './managed-object';
import type { PowerState, ScsiControllerType, NicAdapter, VmSpec } from './inventory-spec';
import type { SimDisk } from './sim-disk';
import { Mor, data } from './vim-value';
import type { DataObject, VimValue } from './vim-value';
import { vmConfigInfo, vmProperties } from './vm-properties';

// A virtual machine's state: hardware, power, tools, CBT switch and its (linear) snapshot chain.

export interface SimVmDisk {
  key: number;
  label: string;
  controllerKey: number;
  unitNumber: number;
  capacity: number;
  datastore: SimEntity;
  /** Datastore path of the base disk, "[DS] vm/vm.vmdk". */
  fileName: string;
  thin: boolean;
  uuid: string;
  disk: SimDisk;
}

export interface SimVmNic {
  key: number;
  label: string;
  adapter: NicAdapter;
  mac: string;
  connected: boolean;
  network: SimEntity;
  /** Set for distributed port groups. */
  dvs?: { switchUuid: string; portgroupKey: string };
}

export interface SimController {
  key: number;
  busNumber: number;
  kind: ScsiControllerType;
  deviceKeys: number[];
}

export class SimSnapshot implements ManagedObject {
  readonly ref: Mor;
  parent: SimSnapshot | undefined;
  readonly children: SimSnapshot[] = [];
  /** Taken with the guest's memory (a revert then leaves the VM in the snapshot's power state). */
  memory = false;

  constructor(
    id: string,
    readonly vm: SimVm,
    readonly name: string,
    readonly description: string,
    readonly seq: number,
    readonly createTime: Date,
    readonly powerState: PowerState,
    readonly quiesced: boolean,
    /** Per disk key: the change id marking this snapshot (undefined while CBT is off). */
    readonly changeIds: Map<number, string | undefined>,
    /** The VM configuration frozen at snapshot time. */
    readonly config: DataObject,
  ) {
    this.ref = new Mor('VirtualMachineSnapshot', id);
  }

  properties(): Record<string, VimValue | undefined> {
    return { config: this.config, childSnapshot: this.children.map((c) => c.ref), vm: this.vm.ref };
  }

  tree(): DataObject {
    return data('VirtualMachineSnapshotTree', {
      snapshot: this.ref,
      vm: this.vm.ref,
      name: this.name,
      description: this.description,
      id: this.seq,
      createTime: this.createTime,
      state: this.powerState,
      quiesced: this.quiesced,
      childSnapshotList: this.children.map((c) => c.tree()),
      replaySupported: false,
    });
  }
}

export class SimVm extends SimEntity {
  powerState: PowerState;
  bootTime: Date | undefined;
  shuttingDown = false;
  cbtEnabled: boolean;
  cpus: number;
  memoryMB: number;
  changeVersion: Date;
  readonly snapshots: SimSnapshot[] = [];
  currentSnapshot: SimSnapshot | undefined;
  snapshotSeq = 0;

  constructor(
    id: string,
    folder: SimEntity,
    readonly spec: VmSpec,
    readonly host: SimEntity,
    readonly resourcePool: SimEntity,
    readonly uuid: string,
    readonly instanceUuid: string,
    readonly disks: SimVmDisk[],
    readonly nics: SimVmNic[],
    readonly controllers: SimController[],
    readonly vmPathName: string,
    now: Date,
  ) {
    super('VirtualMachine', id, spec.name, folder);
    this.powerState = spec.powerState ?? 'poweredOn';
    this.bootTime = this.powerState === 'poweredOn' ? now : undefined;
    this.cbtEnabled = spec.cbtEnabled ?? false;
    this.cpus = spec.cpus ?? 2;
    this.memoryMB = spec.memoryMB ?? 4096;
    this.changeVersion = now;
  }

  get datastores(): SimEntity[] {
    return [...new Set(this.disks.map((d) => d.datastore))];
  }

  get networks(): SimEntity[] {
    return [...new Set(this.nics.map((n) => n.network))];
  }

  toolsRunning(): boolean {
    return this.powerState === 'poweredOn' && (this.spec.tools ?? 'toolsOk') !== 'toolsNotInstalled';
  }

  findDisk(key: number): SimVmDisk | undefined {
    return this.disks.find((d) => d.key === key);
  }

  /** Live configuration, with each disk's current change id. */
  config(): DataObject {
    return vmConfigInfo(this, (d) => d.disk.cbt.currentChangeId);
  }

  override properties(): Record<string, VimValue | undefined> {
    return { ...super.properties(), ...vmProperties(this) };
  }
}
