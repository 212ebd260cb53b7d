import type { MethodRequest } from './collector-methods';
import { SimpleObject } from './managed-object';
import type { ObjectRegistry, SimEntity } from './managed-object';
import type { SimVm } from './sim-vm';
import type { VCenterEngine } from './vcenter-engine';
import { VimFault } from './vim-fault';
import { data, Mor, registerArrayBase } from './vim-value';
import type { DataObject, VimValue } from './vim-value';
import { diskFileAt, SCSI_TYPE } from './vm-devices';
import { child, childBool, childText, children, xsiType } from './xml-node';
import type { XNode } from './xml-node';

// HostDatastoreBrowser: SearchDatastore_Task and SearchDatastoreSubFolders_Task over the files a datastore
// would hold for the simulated VMs (one folder per VM: .vmx, .nvram, vmware.log, disks, snapshot deltas
// and .vmsn files), derived from the inventory rather than stored.

registerArrayBase(
  ['FolderFileInfo', 'VmConfigFileInfo', 'VmDiskFileInfo', 'VmNvramFileInfo', 'VmLogFileInfo', 'VmSnapshotFileInfo'],
  'FileInfo',
);

interface DsFile {
  name: string;
  type: string;
  size: number;
  modified: Date;
  /** Type-specific fields (VmDiskFileInfo capacity and so on), sent when details ask for the file type. */
  extra?: Record<string, VimValue | undefined>;
}

export function browserRef(ds: Mor): Mor {
  return new Mor('HostDatastoreBrowser', `datastoreBrowser-${ds.value}`);
}

/** One browser per datastore, as vCenter has (Datastore.browser points at it). */
export function registerDatastoreBrowsers(registry: ObjectRegistry): void {
  for (const obj of registry.all()) {
    if (obj.ref.type !== 'Datastore') continue;
    const ref = browserRef(obj.ref);
    registry.add(new SimpleObject(ref.type, ref.value, () => ({ datastore: [obj.ref] })));
  }
}

function vmFolderFiles(engine: VCenterEngine, vm: SimVm, ds: SimEntity): DsFile[] {
  const files: DsFile[] = [];
  const modified = vm.changeVersion;
  const base = vm.vmPathName.replace(/^\[[^\]]*\] [^/]*\//, '').replace(/\.vmx$/, '');
  if (vm.vmPathName.startsWith(`[${ds.name}] `)) {
    files.push({ name: `${base}.vmx`, type: 'VmConfigFileInfo', size: 3_412, modified });
    files.push({ name: `${base}.nvram`, type: 'VmNvramFileInfo', size: 270_840, modified });
    files.push({ name: 'vmware.log', type: 'VmLogFileInfo', size: 184_320, modified: engine.opts.clock.now() });
    for (const s of vm.snapshots) {
      files.push({
        name: `${base}-Snapshot${s.seq}.vmsn`,
        type: 'VmSnapshotFileInfo',
        size: 32_768,
        modified: s.createTime,
      });
    }
  }
  for (const d of vm.disks.filter((x) => x.datastore === ds)) {
    for (let depth = 0; depth <= vm.snapshots.length; depth++) {
      files.push({
        name: diskFileAt(d, depth).replace(/^\[[^\]]*\] [^/]*\//, ''),
        type: 'VmDiskFileInfo',
        size: depth === 0 ? d.disk.allocated.totalBytes : 4096,
        modified,
        extra: {
          diskType: 'VirtualDiskFlatVer2BackingInfo',
          capacityKb: Math.floor(d.capacity / 1024),
          hardwareVersion: 4,
          controllerType: SCSI_TYPE[vm.controllers.find((c) => c.key === d.controllerKey)?.kind ?? 'pvscsi'].type,
          diskExtents: [diskFileAt(d, depth).replace(/\.vmdk$/, depth === 0 ? '-flat.vmdk' : '-delta.vmdk')],
          thin: d.thin,
        },
      });
    }
  }
  return files;
}

/** The folders of a datastore and their files: "" is the datastore root, then one folder per VM. */
function datastoreTree(engine: VCenterEngine, ds: SimEntity): Map<string, DsFile[]> {
  const tree = new Map<string, DsFile[]>([['', []]]);
  for (const vm of engine.vms) {
    const onDs = vm.vmPathName.startsWith(`[${ds.name}] `) || vm.disks.some((d) => d.datastore === ds);
    if (!onDs) continue;
    tree.get('')?.push({ name: vm.name, type: 'FolderFileInfo', size: 4096, modified: vm.changeVersion });
    tree.set(vm.name, vmFolderFiles(engine, vm, ds));
  }
  return tree;
}

// vim25 glob: "*" any run, "?" one character; case-insensitive as on VMFS listings.
function globMatches(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

const QUERY_TO_INFO: Record<string, string> = {
  FolderFileQuery: 'FolderFileInfo',
  VmConfigFileQuery: 'VmConfigFileInfo',
  TemplateConfigFileQuery: 'VmConfigFileInfo',
  VmDiskFileQuery: 'VmDiskFileInfo',
  VmNvramFileQuery: 'VmNvramFileInfo',
  VmLogFileQuery: 'VmLogFileInfo',
  VmSnapshotFileQuery: 'VmSnapshotFileInfo',
};

interface SearchSpec {
  patterns: string[];
  types: string[] | undefined;
  fileType: boolean;
  fileSize: boolean;
  modification: boolean;
}

function parseSpec(node: XNode | undefined): SearchSpec {
  const details = child(node, 'details');
  const queries = children(node, 'query').map((q) => xsiType(q) ?? 'FileQuery');
  return {
    patterns: children(node, 'matchPattern').map((p) => p.text.trim()),
    types:
      queries.length === 0 || queries.includes('FileQuery') ? undefined : queries.map((q) => QUERY_TO_INFO[q] ?? q),
    fileType: childBool(details, 'fileType') ?? false,
    fileSize: childBool(details, 'fileSize') ?? false,
    modification: childBool(details, 'modification') ?? false,
  };
}

function fileInfo(f: DsFile, spec: SearchSpec): DataObject {
  const typed = spec.fileType && f.type !== 'FileInfo';
  const fields: Record<string, VimValue | undefined> = {
    path: f.name,
    friendlyName: f.type === 'FolderFileInfo' ? undefined : f.name,
    fileSize: spec.fileSize ? f.size : undefined,
    modification: spec.modification ? f.modified : undefined,
    owner: spec.fileSize ? 'root' : undefined,
    ...(typed ? (f.extra ?? {}) : {}),
  };
  return data(typed ? f.type : 'FileInfo', fields);
}

function parseDatastorePath(path: string): { ds: string; folder: string } | undefined {
  const m = /^\[([^\]]+)\]\s*(.*)$/.exec(path.trim());
  if (!m?.[1]) return undefined;
  return { ds: m[1], folder: (m[2] ?? '').replace(/^\.?\/*|\/+$/g, '') };
}

function fileNotFound(path: string): VimFault {
  return new VimFault('FileNotFound', `File ${path} was not found`, { file: path });
}

function datastoreOf(req: MethodRequest): SimEntity {
  const browser = req.engine.registry.get(req.self);
  const ds = browser.properties(req.ctx).datastore;
  const ref = Array.isArray(ds) ? ds[0] : undefined;
  if (!(ref instanceof Mor)) throw new VimFault('InvalidState', 'datastore browser without a datastore');
  return req.engine.registry.get(ref) as SimEntity;
}

function search(req: MethodRequest, recurse: boolean): Mor {
  const engine = req.engine;
  const path = childText(req.body, 'datastorePath') ?? '';
  const spec = parseSpec(child(req.body, 'searchSpec'));
  const ds = datastoreOf(req);
  const method = recurse ? 'SearchDatastoreSubFolders_Task' : 'SearchDatastore_Task';
  const description = recurse ? 'HostDatastoreBrowser.searchSubFolders' : 'HostDatastoreBrowser.search';
  const entity = { ref: req.self, name: ds.name, properties: () => ({}) };
  return engine.runTask(entity, method, description, req.userName, () => {
    const parsed = parseDatastorePath(path);
    // A browser searches its own datastore only.
    if (!parsed || parsed.ds !== ds.name) throw fileNotFound(path);
    const tree = datastoreTree(engine, ds);
    if (!tree.has(parsed.folder)) throw fileNotFound(path);
    const folders = recurse && parsed.folder === '' ? [...tree.keys()] : [parsed.folder];
    const results = folders.map((folder) => {
      const files = (tree.get(folder) ?? [])
        .filter((f) => spec.patterns.length === 0 || spec.patterns.some((p) => globMatches(p, f.name)))
        .filter((f) => !spec.types || spec.types.includes(f.type));
      return data('HostDatastoreBrowserSearchResults', {
        datastore: ds.ref,
        folderPath: folder === '' ? `[${ds.name}]` : `[${ds.name}] ${folder}`,
        file: files.map((f) => fileInfo(f, spec)),
      });
    });
    return Promise.resolve(recurse ? results : results[0]);
  }).ref;
}

export const datastoreBrowserMethods: Record<string, (req: MethodRequest) => VimValue | undefined> = {
  SearchDatastore_Task: (req) => search(req, false),
  SearchDatastoreSubFolders_Task: (req) => search(req, true),
};
