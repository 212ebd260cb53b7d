import { Mor } from './vim-value';
import type { VimValue } from './vim-value';
import { faults } from './vim-fault';

/** What property collection knows about the caller (SessionManager.currentSession depends on it). */
export interface CallContext {
  sessionKey: string | undefined;
}

export interface ManagedObject {
  readonly ref: Mor;
  /** Top-level properties; undefined values are unset. Computed on each call so they are always current. */
  properties(ctx: CallContext): Record<string, VimValue | undefined>;
}

// Managed object type inheritance, for PropertySpec.type and TraversalSpec.type matching.
const PARENT: Record<string, string> = {
  Folder: 'ManagedEntity',
  Datacenter: 'ManagedEntity',
  ComputeResource: 'ManagedEntity',
  ClusterComputeResource: 'ComputeResource',
  HostSystem: 'ManagedEntity',
  VirtualMachine: 'ManagedEntity',
  Network: 'ManagedEntity',
  DistributedVirtualPortgroup: 'Network',
  OpaqueNetwork: 'Network',
  Datastore: 'ManagedEntity',
  ResourcePool: 'ManagedEntity',
  VirtualApp: 'ResourcePool',
  DistributedVirtualSwitch: 'ManagedEntity',
  VmwareDistributedVirtualSwitch: 'DistributedVirtualSwitch',
  ContainerView: 'ManagedObjectView',
  ListView: 'ManagedObjectView',
  ManagedObjectView: 'View',
  EventHistoryCollector: 'HistoryCollector',
  TaskHistoryCollector: 'HistoryCollector',
};

export function isA(type: string, base: string): boolean {
  for (let t: string | undefined = type; t !== undefined; t = PARENT[t]) if (t === base) return true;
  return false;
}

export class ObjectRegistry {
  private readonly objects = new Map<string, ManagedObject>();
  private counter = 0;

  /** vCenter-style ids: one counter for the whole inventory ("vm-42", "datastore-17"). */
  nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  get lastId(): number {
    return this.counter;
  }

  /** Never hand out ids at or below `n` (ids of a previous run must not come back after a restart). */
  reserveUpTo(n: number): void {
    this.counter = Math.max(this.counter, n);
  }

  add<T extends ManagedObject>(obj: T): T {
    this.objects.set(obj.ref.value, obj);
    return obj;
  }

  remove(ref: Mor): void {
    this.objects.delete(ref.value);
  }

  removeWhere(match: (id: string) => boolean): void {
    for (const id of [...this.objects.keys()]) if (match(id)) this.objects.delete(id);
  }

  find(ref: Mor): ManagedObject | undefined {
    const obj = this.objects.get(ref.value);
    return obj && isA(obj.ref.type, ref.type) ? obj : undefined;
  }

  get(ref: Mor): ManagedObject {
    const obj = this.find(ref);
    if (!obj) throw faults.notFound(ref);
    return obj;
  }

  all(): ManagedObject[] {
    return [...this.objects.values()];
  }
}

/** A plain managed object whose properties come from a closure. */
export class SimpleObject implements ManagedObject {
  readonly ref: Mor;
  constructor(
    type: string,
    id: string,
    private readonly props: (ctx: CallContext) => Record<string, VimValue | undefined>,
  ) {
    this.ref = new Mor(type, id);
  }
  properties(ctx: CallContext): Record<string, VimValue | undefined> {
    return this.props(ctx);
  }
}

/** An inventory entity: a name, a parent, and children for folders. */
export class SimEntity implements ManagedObject {
  readonly ref: Mor;
  readonly children: SimEntity[] = [];
  extra: () => Record<string, VimValue | undefined> = () => ({});

  constructor(
    type: string,
    id: string,
    public name: string,
    public parent: SimEntity | undefined,
    readonly childType: string[] = [],
  ) {
    this.ref = new Mor(type, id);
    parent?.children.push(this);
  }

  properties(): Record<string, VimValue | undefined> {
    const base: Record<string, VimValue | undefined> = {
      name: this.name,
      parent: this.parent?.ref,
      overallStatus: 'green',
      configStatus: 'green',
      effectiveRole: [-1],
      alarmActionsEnabled: true,
    };
    if (this.ref.type === 'Folder') {
      base.childEntity = this.children.map((c) => c.ref);
      base.childType = this.childType;
    }
    return { ...base, ...this.extra() };
  }
}
