import { join } from 'node:path';
import type { VmSpec } from './inventory-spec';
import { macFrom, safeName, uuidFrom } from './inventory-ids';
import { SimEntity } from './managed-object';
import type { ObjectRegistry } from './managed-object';
import { SimDisk } from './sim-disk';
import { SimVm } from './sim-vm';
import type { SimController, SimVmDisk, SimVmNic } from './sim-vm';

// One VM of the inventory: its folder, SCSI controllers, disks (sparse files under the data dir) and NICs.

const GiB = 1024 ** 3;

export interface DcContext {
  dc: SimEntity;
  hosts: Map<string, { host: SimEntity; pool: SimEntity }>;
  datastores: Map<string, SimEntity>;
  networks: Map<string, { entity: SimEntity; dvs?: { switchUuid: string; portgroupKey: string } }>;
  vmFolder: SimEntity;
  /** Every VM of the inventory, for reverse lookups (host.vm, datastore.vm) computed on demand. */
  vms: SimVm[];
}

function vmFolderFor(registry: ObjectRegistry, base: SimEntity, path: string | undefined): SimEntity {
  let folder = base;
  for (const part of (path ?? '').split('/').filter(Boolean)) {
    const existing = folder.children.find((c) => c.ref.type === 'Folder' && c.name === part);
    folder =
      existing ??
      registry.add(
        new SimEntity('Folder', registry.nextId('group-v'), part, folder, ['Folder', 'VirtualMachine', 'VirtualApp']),
      );
  }
  return folder;
}

export function buildVm(registry: ObjectRegistry, ctx: DcContext, spec: VmSpec, dataDir: string, now: Date): SimVm {
  const placement = ctx.hosts.get(spec.host);
  if (!placement) throw new Error(`VM ${spec.name}: unknown host ${spec.host}`);
  const folder = vmFolderFor(registry, ctx.vmFolder, spec.folder);
  const id = registry.nextId('vm-');
  const seed = `${ctx.dc.name}/${spec.name}`;
  const kind = spec.scsiController ?? 'pvscsi';
  const controllers: SimController[] = [];
  const disks: SimVmDisk[] = [];
  const units = new Map<number, number>();
  const primaryDs = spec.disks[0]?.datastore ?? '';
  spec.disks.forEach((d, i) => {
    const ds = ctx.datastores.get(d.datastore);
    if (!ds) throw new Error(`VM ${spec.name}: unknown datastore ${d.datastore}`);
    const bus = d.controller ?? 0;
    let controller = controllers.find((c) => c.busNumber === bus);
    if (!controller) {
      controller = { key: 1000 + bus, busNumber: bus, kind, deviceKeys: [] };
      controllers.push(controller);
    }
    let unit = units.get(bus) ?? 0;
    if (unit === 7) unit = 8; // the controller itself sits on unit 7
    units.set(bus, unit + 1);
    const key = 2000 + i;
    controller.deviceKeys.push(key);
    const capacity = d.capacityBytes ?? Math.round((d.capacityGiB ?? 1) * GiB);
    if (capacity <= 0 || capacity % 512 !== 0)
      throw new Error(`VM ${spec.name}: disk ${i} capacity must be a positive multiple of 512`);
    const suffix = i === 0 ? '' : `_${i}`;
    const localDir = join(dataDir, 'datastores', safeName(d.datastore), safeName(spec.name));
    disks.push({
      key,
      label: `Hard disk ${i + 1}`,
      controllerKey: controller.key,
      unitNumber: unit,
      capacity,
      datastore: ds,
      fileName: `[${d.datastore}] ${spec.name}/${spec.name}${suffix}.vmdk`,
      thin: d.thin ?? true,
      uuid: uuidFrom(`${seed}/disk/${i}`, '6000c29'),
      disk: new SimDisk({ path: join(localDir, `${safeName(spec.name)}${suffix}-flat.vmdk`), capacity }),
    });
  });
  const nics: SimVmNic[] = spec.nics.map((n, i) => {
    const net = ctx.networks.get(n.network);
    if (!net) throw new Error(`VM ${spec.name}: unknown network ${n.network}`);
    return {
      key: 4000 + i,
      label: `Network adapter ${i + 1}`,
      adapter: n.adapter ?? 'vmxnet3',
      mac: n.mac ?? macFrom(`${seed}/nic/${i}`),
      connected: n.connected ?? true,
      network: net.entity,
      dvs: net.dvs,
    };
  });
  const vm = new SimVm(
    id,
    folder,
    spec,
    placement.host,
    placement.pool,
    uuidFrom(seed, '4203'),
    uuidFrom(`${seed}/instance`, '5003'),
    disks,
    nics,
    controllers,
    `[${primaryDs}] ${spec.name}/${spec.name}.vmx`,
    now,
  );
  registry.add(vm);
  ctx.vms.push(vm);
  return vm;
}
