// The vim25 data objects this client reads, reduced to the fields MigrateKit uses.
import { booleanOf, child, childrenNamed, type XmlNode, numberOf, textOf } from '@migratekit/node-common';

/** ManagedObjectReference: `<obj type="VirtualMachine">vm-42</obj>`. */
export interface MoRef {
  readonly type: string;
  readonly value: string;
}

export function moRef(type: string, value: string): MoRef {
  return { type, value };
}

export function moRefKey(ref: MoRef): string {
  return `${ref.type}:${ref.value}`;
}

export function parseMoRef(node: XmlNode | undefined): MoRef | undefined {
  if (node === undefined) return undefined;
  const type = node.attrs.type;
  if (type === undefined) return undefined;
  return { type, value: node.text.trim() };
}

export interface AboutInfo {
  name: string;
  fullName: string;
  vendor: string;
  version: string;
  build: string;
  apiType: string;
  apiVersion: string;
  instanceUuid: string | undefined;
}

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef | undefined;
  sessionManager: MoRef | undefined;
  searchIndex: MoRef | undefined;
  about: AboutInfo;
}

export function parseServiceContent(node: XmlNode): ServiceContent {
  const about = child(node, 'about');
  const rootFolder = parseMoRef(child(node, 'rootFolder'));
  const propertyCollector = parseMoRef(child(node, 'propertyCollector'));
  if (rootFolder === undefined || propertyCollector === undefined) {
    throw new Error('ServiceContent lacks rootFolder or propertyCollector');
  }
  return {
    rootFolder,
    propertyCollector,
    viewManager: parseMoRef(child(node, 'viewManager')),
    sessionManager: parseMoRef(child(node, 'sessionManager')),
    searchIndex: parseMoRef(child(node, 'searchIndex')),
    about: {
      name: textOf(about, 'name') ?? '',
      fullName: textOf(about, 'fullName') ?? '',
      vendor: textOf(about, 'vendor') ?? '',
      version: textOf(about, 'version') ?? '',
      build: textOf(about, 'build') ?? '',
      apiType: textOf(about, 'apiType') ?? '',
      apiVersion: textOf(about, 'apiVersion') ?? '',
      instanceUuid: textOf(about, 'instanceUuid'),
    },
  };
}

export interface UserSession {
  key: string;
  userName: string;
  fullName: string;
}

export function parseUserSession(node: XmlNode): UserSession {
  return {
    key: textOf(node, 'key') ?? '',
    userName: textOf(node, 'userName') ?? '',
    fullName: textOf(node, 'fullName') ?? '',
  };
}

export interface SnapshotTreeNode {
  snapshot: MoRef;
  name: string;
  description: string;
  id: number | undefined;
  createTime: string | undefined;
  state: string | undefined;
  quiesced: boolean;
  children: SnapshotTreeNode[];
}

export interface SnapshotInfo {
  current: MoRef | undefined;
  roots: SnapshotTreeNode[];
}

function parseSnapshotTree(node: XmlNode): SnapshotTreeNode {
  const snapshot = parseMoRef(child(node, 'snapshot')) ?? moRef('VirtualMachineSnapshot', '');
  return {
    snapshot,
    name: textOf(node, 'name') ?? '',
    description: textOf(node, 'description') ?? '',
    id: numberOf(node, 'id'),
    createTime: textOf(node, 'createTime'),
    state: textOf(node, 'state'),
    quiesced: booleanOf(node, 'quiesced') ?? false,
    children: childrenNamed(node, 'childSnapshotList').map(parseSnapshotTree),
  };
}

/** VirtualMachineSnapshotInfo (the VM's `snapshot` property); undefined when the VM has none. */
export function parseSnapshotInfo(node: XmlNode | undefined): SnapshotInfo | undefined {
  if (node === undefined) return undefined;
  return {
    current: parseMoRef(child(node, 'currentSnapshot')),
    roots: childrenNamed(node, 'rootSnapshotList').map(parseSnapshotTree),
  };
}

export function flattenSnapshots(info: SnapshotInfo | undefined): SnapshotTreeNode[] {
  const out: SnapshotTreeNode[] = [];
  const visit = (n: SnapshotTreeNode): void => {
    out.push(n);
    n.children.forEach(visit);
  };
  info?.roots.forEach(visit);
  return out;
}

export interface ChangedArea {
  start: number;
  length: number;
}

export interface DiskChangeInfo {
  startOffset: number;
  length: number;
  changedArea: ChangedArea[];
}

export function parseDiskChangeInfo(node: XmlNode): DiskChangeInfo {
  return {
    startOffset: numberOf(node, 'startOffset') ?? 0,
    length: numberOf(node, 'length') ?? 0,
    changedArea: childrenNamed(node, 'changedArea').map((a) => ({
      start: numberOf(a, 'start') ?? 0,
      length: numberOf(a, 'length') ?? 0,
    })),
  };
}
