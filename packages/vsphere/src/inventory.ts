// The vCenter inventory (everything but VMs) from one paged property retrieval over a ContainerView, with
// lookups for inventory paths, datacenters, and network names by moref or distributed port-group key.
import { type ObjectContent, type PropertyRequest, retrieveFromContainer } from './property-collector';
import type { VimSession } from './soap/vim-session';
import { type MoRef, moRefKey, parseMoRef } from './vim-types';
import { numberOf, textOf } from '@migratekit/node-common';

export interface InventoryEntity {
  ref: MoRef;
  name: string;
  parent: MoRef | undefined;
  /** Inventory path as govc prints it: "/DC0/host/DC0_C0". */
  path: string;
  /** Name of the datacenter the entity belongs to (undefined for folders above datacenters). */
  datacenter: string | undefined;
}

export type NetworkKind = 'standard' | 'distributed' | 'opaque';

export interface NetworkEntity extends InventoryEntity {
  kind: NetworkKind;
  /** DistributedVirtualPortgroup.key: what a NIC's distributed backing refers to. */
  portgroupKey: string | undefined;
  opaqueNetworkId: string | undefined;
}

export interface DatastoreEntity extends InventoryEntity {
  capacityBytes: number | undefined;
  freeBytes: number | undefined;
  type: string | undefined;
}

const PARENTED = ['name', 'parent'];

const INVENTORY_REQUESTS: readonly PropertyRequest[] = [
  { type: 'Folder', paths: PARENTED },
  { type: 'Datacenter', paths: PARENTED },
  { type: 'ClusterComputeResource', paths: PARENTED },
  { type: 'ComputeResource', paths: PARENTED },
  { type: 'HostSystem', paths: PARENTED },
  { type: 'ResourcePool', paths: PARENTED },
  { type: 'VirtualApp', paths: PARENTED },
  { type: 'Network', paths: PARENTED },
  { type: 'DistributedVirtualPortgroup', paths: [...PARENTED, 'key'] },
  { type: 'OpaqueNetwork', paths: [...PARENTED, 'summary.opaqueNetworkId'] },
  { type: 'Datastore', paths: [...PARENTED, 'summary.capacity', 'summary.freeSpace', 'summary.type'] },
];

interface RawEntity {
  ref: MoRef;
  name: string;
  parent: MoRef | undefined;
  content: ObjectContent;
}

export class Inventory {
  readonly datacenters: InventoryEntity[] = [];
  readonly folders: InventoryEntity[] = [];
  readonly clusters: InventoryEntity[] = [];
  readonly hosts: InventoryEntity[] = [];
  readonly networks: NetworkEntity[] = [];
  readonly datastores: DatastoreEntity[] = [];
  private readonly raw = new Map<string, RawEntity>();
  private readonly byPortgroupKey = new Map<string, NetworkEntity>();
  private readonly byOpaqueId = new Map<string, NetworkEntity>();
  private readonly entities = new Map<string, InventoryEntity>();

  constructor(
    objects: readonly ObjectContent[],
    private readonly rootFolder: MoRef,
  ) {
    for (const content of objects) {
      const name = textOf(content.props.get('name')) ?? content.obj.value;
      this.raw.set(moRefKey(content.obj), {
        ref: content.obj,
        name,
        parent: parseMoRef(content.props.get('parent')),
        content,
      });
    }
    for (const entity of this.raw.values()) {
      if (entity.ref.type === 'Folder' && entity.ref.value === rootFolder.value) continue;
      this.classify(entity);
    }
  }

  /** Adds VMs (or any other entities) so their names and parents take part in path building. */
  remember(ref: MoRef, name: string, parent: MoRef | undefined): void {
    const key = moRefKey(ref);
    if (!this.raw.has(key))
      this.raw.set(key, { ref, name, parent, content: { obj: ref, props: new Map(), missing: [] } });
  }

  entity(ref: MoRef | undefined): InventoryEntity | undefined {
    return ref === undefined ? undefined : this.entities.get(moRefKey(ref));
  }

  /** Path from the root folder ("/DC0/vm/web-01"), or undefined when a parent is unknown. */
  pathOf(ref: MoRef): string | undefined {
    const names: string[] = [];
    let current: RawEntity | undefined = this.raw.get(moRefKey(ref));
    let guard = 0;
    while (current !== undefined && guard++ < 64) {
      names.push(current.name);
      const parent: MoRef | undefined = current.parent;
      if (parent === undefined || moRefKey(parent) === moRefKey(this.rootFolder))
        return `/${names.reverse().join('/')}`;
      current = this.raw.get(moRefKey(parent));
    }
    return undefined;
  }

  datacenterOf(ref: MoRef): InventoryEntity | undefined {
    let current: RawEntity | undefined = this.raw.get(moRefKey(ref));
    let guard = 0;
    while (current !== undefined && guard++ < 64) {
      if (current.ref.type === 'Datacenter') return this.entities.get(moRefKey(current.ref));
      current = current.parent ? this.raw.get(moRefKey(current.parent)) : undefined;
    }
    return undefined;
  }

  /** A datacenter by name or inventory path. */
  findDatacenter(nameOrPath: string): InventoryEntity | undefined {
    const wanted = nameOrPath.startsWith('/') ? nameOrPath : undefined;
    return this.datacenters.find((dc) => (wanted ? dc.path === wanted : dc.name === nameOrPath));
  }

  network(ref: MoRef | undefined): NetworkEntity | undefined {
    const entity = this.entity(ref);
    return entity && 'kind' in entity ? (entity as NetworkEntity) : undefined;
  }

  networkByPortgroupKey(key: string): NetworkEntity | undefined {
    return this.byPortgroupKey.get(key);
  }

  networkByOpaqueId(id: string): NetworkEntity | undefined {
    return this.byOpaqueId.get(id);
  }

  datastore(ref: MoRef | undefined): DatastoreEntity | undefined {
    const entity = this.entity(ref);
    return entity && entity.ref.type === 'Datastore' ? (entity as DatastoreEntity) : undefined;
  }

  private classify(raw: RawEntity): void {
    const base = (): InventoryEntity => ({
      ref: raw.ref,
      name: raw.name,
      parent: raw.parent,
      path: this.pathOf(raw.ref) ?? `/${raw.name}`,
      datacenter: undefined,
    });
    const entity = base();
    entity.datacenter = raw.ref.type === 'Datacenter' ? raw.name : this.datacenterOfRaw(raw);
    const props = raw.content.props;
    switch (raw.ref.type) {
      case 'Datacenter':
        this.datacenters.push(entity);
        break;
      case 'Folder':
        this.folders.push(entity);
        break;
      case 'ClusterComputeResource':
        this.clusters.push(entity);
        break;
      case 'HostSystem':
        this.hosts.push(entity);
        break;
      case 'Network':
      case 'DistributedVirtualPortgroup':
      case 'OpaqueNetwork': {
        const kind: NetworkKind =
          raw.ref.type === 'Network' ? 'standard' : raw.ref.type === 'OpaqueNetwork' ? 'opaque' : 'distributed';
        const network: NetworkEntity = {
          ...entity,
          kind,
          portgroupKey: kind === 'distributed' ? (textOf(props.get('key')) ?? raw.ref.value) : undefined,
          opaqueNetworkId: kind === 'opaque' ? textOf(props.get('summary.opaqueNetworkId')) : undefined,
        };
        this.networks.push(network);
        if (network.portgroupKey) this.byPortgroupKey.set(network.portgroupKey, network);
        if (network.opaqueNetworkId) this.byOpaqueId.set(network.opaqueNetworkId, network);
        this.entities.set(moRefKey(raw.ref), network);
        return;
      }
      case 'Datastore': {
        const datastore: DatastoreEntity = {
          ...entity,
          capacityBytes: numberOf(props.get('summary.capacity')),
          freeBytes: numberOf(props.get('summary.freeSpace')),
          type: textOf(props.get('summary.type')),
        };
        this.datastores.push(datastore);
        this.entities.set(moRefKey(raw.ref), datastore);
        return;
      }
      default:
        break;
    }
    this.entities.set(moRefKey(raw.ref), entity);
  }

  private datacenterOfRaw(raw: RawEntity): string | undefined {
    let current: RawEntity | undefined = raw;
    let guard = 0;
    while (current !== undefined && guard++ < 64) {
      if (current.ref.type === 'Datacenter') return current.name;
      current = current.parent ? this.raw.get(moRefKey(current.parent)) : undefined;
    }
    return undefined;
  }
}

export async function loadInventory(session: VimSession): Promise<Inventory> {
  const root = session.serviceContent.rootFolder;
  const objects = await retrieveFromContainer(session, root, INVENTORY_REQUESTS);
  return new Inventory(objects, root);
}
