import type { DatacenterSpec, HostSpec, InventorySpec } from './inventory-spec';
import { dvsUuid, hashHex, uuidFrom } from './inventory-ids';
import { ObjectRegistry, SimEntity } from './managed-object';
import type { SimVm } from './sim-vm';
import { browserRef } from './datastore-browser';
import { buildVm } from './vm-builder';
import type { DcContext } from './vm-builder';
import { data } from './vim-value';
import type { Mor } from './vim-value';

// Turns an InventorySpec into managed objects. Ids are deterministic for a given spec, so a restarted
// simulator on the same data dir answers with the same references and finds the same disk files.

const GiB = 1024 ** 3;

export interface BuiltInventory {
  registry: ObjectRegistry;
  rootFolder: SimEntity;
  datacenters: SimEntity[];
  vms: SimVm[];
}

export function buildInventory(spec: InventorySpec, dataDir: string, now: Date): BuiltInventory {
  const registry = new ObjectRegistry();
  const root = registry.add(new SimEntity('Folder', 'group-d1', 'Datacenters', undefined, ['Folder', 'Datacenter']));
  const vms: SimVm[] = [];
  const datacenters: SimEntity[] = [];
  for (const dcSpec of spec.datacenters) {
    const ctx = buildDatacenter(registry, root, dcSpec, vms);
    datacenters.push(ctx.dc);
    for (const vmSpec of dcSpec.vms) buildVm(registry, ctx, vmSpec, dataDir, now);
  }
  return { registry, rootFolder: root, datacenters, vms };
}

function buildDatacenter(registry: ObjectRegistry, root: SimEntity, spec: DatacenterSpec, vms: SimVm[]): DcContext {
  const dc = registry.add(new SimEntity('Datacenter', registry.nextId('datacenter-'), spec.name, root));
  const folder = (name: string, prefix: string, childType: string[]): SimEntity =>
    registry.add(new SimEntity('Folder', registry.nextId(prefix), name, dc, childType));
  const vmFolder = folder('vm', 'group-v', ['Folder', 'VirtualMachine', 'VirtualApp']);
  const hostFolder = folder('host', 'group-h', ['Folder', 'ComputeResource']);
  const dsFolder = folder('datastore', 'group-s', ['Folder', 'Datastore', 'StoragePod']);
  const netFolder = folder('network', 'group-n', ['Folder', 'Network', 'DistributedVirtualSwitch']);
  // Datacenter's own children are its four folders; SimEntity recorded them, but a Datacenter is not a Folder.
  const ctx: DcContext = { dc, hosts: new Map(), datastores: new Map(), networks: new Map(), vmFolder, vms };
  const vmsOn = (host: SimEntity): Mor[] => vms.filter((v) => v.host === host).map((v) => v.ref);
  const vmsIn = (pool: SimEntity): Mor[] => vms.filter((v) => v.resourcePool === pool).map((v) => v.ref);
  const vmsUsing = (ds: SimEntity): SimVm[] => vms.filter((v) => v.disks.some((d) => d.datastore === ds));
  const vmsOnNetwork = (net: SimEntity): SimVm[] => vms.filter((v) => v.nics.some((n) => n.network === net));
  const allHosts: SimEntity[] = [];

  const addHost = (h: HostSpec, parent: SimEntity, pool: SimEntity): SimEntity => {
    const host = registry.add(new SimEntity('HostSystem', registry.nextId('host-'), h.name, parent));
    const cores = h.cpuCores ?? 16;
    const mem = (h.memoryGiB ?? 256) * GiB;
    host.extra = () => ({
      vm: vmsOn(host),
      datastore: [...ctx.datastores.values()].map((d) => d.ref),
      network: [...ctx.networks.values()].map((n) => n.entity.ref),
      runtime: data('HostRuntimeInfo', {
        connectionState: 'connected',
        powerState: 'poweredOn',
        inMaintenanceMode: false,
        inQuarantineMode: false,
      }),
      summary: data('HostListSummary', {
        host: host.ref,
        hardware: data('HostHardwareSummary', {
          vendor: 'Dell Inc.',
          model: 'PowerEdge R750',
          uuid: uuidFrom(h.name, '4c4c4544'),
          memorySize: mem,
          cpuModel: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
          cpuMhz: 2000,
          numCpuPkgs: 2,
          numCpuCores: cores,
          numCpuThreads: cores * 2,
          numNics: 4,
          numHBAs: 2,
        }),
        runtime: data('HostRuntimeInfo', {
          connectionState: 'connected',
          powerState: 'poweredOn',
          inMaintenanceMode: false,
        }),
        config: data('HostConfigSummary', {
          name: h.name,
          port: 443,
          product: data('AboutInfo', {
            name: 'VMware ESXi',
            fullName: 'VMware ESXi 8.0.2 build-22380479',
            vendor: 'VMware, Inc.',
            version: '8.0.2',
            build: '22380479',
            osType: 'vmnix-x86',
            productLineId: 'embeddedEsx',
            apiType: 'HostAgent',
            apiVersion: '8.0.2.0',
          }),
          vmotionEnabled: true,
          faultToleranceEnabled: false,
        }),
        quickStats: data('HostListSummaryQuickStats', {
          overallCpuUsage: 3200,
          overallMemoryUsage: 65536,
          uptime: 864000,
        }),
        overallStatus: 'green',
        rebootRequired: false,
        managementServerIp: '127.0.0.1',
      }),
    });
    ctx.hosts.set(h.name, { host, pool });
    allHosts.push(host);
    return host;
  };

  const computeProps = (cr: SimEntity, hosts: () => SimEntity[], pool: SimEntity, cluster: boolean): void => {
    cr.extra = () => {
      const hs = hosts();
      const cores = hs.length * 16;
      return {
        host: hs.map((h) => h.ref),
        resourcePool: pool.ref,
        datastore: [...ctx.datastores.values()].map((d) => d.ref),
        network: [...ctx.networks.values()].map((n) => n.entity.ref),
        summary: data(cluster ? 'ClusterComputeResourceSummary' : 'ComputeResourceSummary', {
          totalCpu: cores * 2000,
          totalMemory: hs.length * 256 * GiB,
          numCpuCores: cores,
          numCpuThreads: cores * 2,
          effectiveCpu: cores * 1900,
          effectiveMemory: hs.length * 250 * 1024,
          numHosts: hs.length,
          numEffectiveHosts: hs.length,
          overallStatus: 'green',
          ...(cluster ? { currentFailoverLevel: 1, numVmotions: 0 } : {}),
        }),
      };
    };
    pool.extra = () => ({
      owner: cr.ref,
      vm: vmsIn(pool),
      resourcePool: [],
    });
  };

  for (const c of spec.clusters ?? []) {
    const cluster = registry.add(
      new SimEntity('ClusterComputeResource', registry.nextId('domain-c'), c.name, hostFolder),
    );
    const pool = registry.add(new SimEntity('ResourcePool', registry.nextId('resgroup-'), 'Resources', cluster));
    const members = c.hosts.map((h) => addHost(h, cluster, pool));
    computeProps(cluster, () => members, pool, true);
  }
  for (const h of spec.hosts ?? []) {
    const cr = registry.add(new SimEntity('ComputeResource', registry.nextId('domain-s'), h.name, hostFolder));
    const pool = registry.add(new SimEntity('ResourcePool', registry.nextId('resgroup-'), 'Resources', cr));
    const host = addHost(h, cr, pool);
    computeProps(cr, () => [host], pool, false);
  }

  for (const d of spec.datastores) {
    const ds = registry.add(new SimEntity('Datastore', registry.nextId('datastore-'), d.name, dsFolder));
    const url = `ds:///vmfs/volumes/${hashHex(d.name).slice(0, 8)}-${hashHex(d.name).slice(8, 24)}/`;
    ds.extra = () => {
      const used = vmsUsing(ds).reduce(
        (n, vm) => n + vm.disks.filter((x) => x.datastore === ds).reduce((m, x) => m + x.disk.allocated.totalBytes, 0),
        0,
      );
      const capacity = d.capacityGiB * GiB;
      return {
        summary: data('DatastoreSummary', {
          datastore: ds.ref,
          name: d.name,
          url,
          capacity,
          freeSpace: capacity - used,
          uncommitted: 0,
          accessible: true,
          multipleHostAccess: allHosts.length > 1,
          type: 'VMFS',
          maintenanceMode: 'normal',
        }),
        info: data('VmfsDatastoreInfo', {
          name: d.name,
          url,
          freeSpace: capacity - used,
          maxFileSize: 62 * 1024 * GiB,
          maxVirtualDiskCapacity: 62 * 1024 * GiB,
          timestamp: new Date(),
          containerId: hashHex(d.name).slice(0, 32),
        }),
        host: allHosts.map((h) =>
          data('DatastoreHostMount', {
            key: h.ref,
            mountInfo: data('HostMountInfo', {
              path: url.replace('ds://', ''),
              accessMode: 'readWrite',
              mounted: true,
              accessible: true,
            }),
          }),
        ),
        vm: vmsUsing(ds).map((v) => v.ref),
        browser: browserRef(ds.ref),
      };
    };
    ctx.datastores.set(d.name, ds);
  }

  for (const n of spec.networks ?? []) {
    const net = registry.add(new SimEntity('Network', registry.nextId('network-'), n.name, netFolder));
    net.extra = () => ({
      summary: data('NetworkSummary', { network: net.ref, name: n.name, accessible: true, ipPoolName: '' }),
      host: allHosts.map((h) => h.ref),
      vm: vmsOnNetwork(net).map((v) => v.ref),
    });
    ctx.networks.set(n.name, { entity: net });
  }
  for (const s of spec.distributedSwitches ?? []) {
    const dvs = registry.add(
      new SimEntity('VmwareDistributedVirtualSwitch', registry.nextId('dvs-'), s.name, netFolder),
    );
    const uuid = dvsUuid(`${spec.name}/${s.name}`);
    const pgs: SimEntity[] = [];
    for (const pg of s.portgroups) {
      const e = registry.add(
        new SimEntity('DistributedVirtualPortgroup', registry.nextId('dvportgroup-'), pg.name, netFolder),
      );
      e.extra = () => ({
        key: e.ref.value,
        config: data('DVPortgroupConfigInfo', {
          key: e.ref.value,
          name: pg.name,
          numPorts: 128,
          distributedVirtualSwitch: dvs.ref,
          defaultPortConfig: data('VMwareDVSPortSetting', {
            vlan: data('VmwareDistributedVirtualSwitchVlanIdSpec', { inherited: false, vlanId: pg.vlan ?? 0 }),
          }),
          type: 'earlyBinding',
          autoExpand: true,
        }),
        summary: data('NetworkSummary', { network: e.ref, name: pg.name, accessible: true, ipPoolName: '' }),
        host: allHosts.map((h) => h.ref),
        vm: vmsOnNetwork(e).map((v) => v.ref),
      });
      pgs.push(e);
      ctx.networks.set(pg.name, { entity: e, dvs: { switchUuid: uuid, portgroupKey: e.ref.value } });
    }
    dvs.extra = () => ({
      uuid,
      portgroup: pgs.map((p) => p.ref),
      summary: data('DVSSummary', {
        name: s.name,
        uuid,
        numPorts: pgs.length * 128,
        productInfo: data('DistributedVirtualSwitchProductSpec', {
          name: 'DVS',
          vendor: 'VMware, Inc.',
          version: '8.0.0',
        }),
        hostMember: allHosts.map((h) => h.ref),
        vm: pgs.flatMap((p) => vmsOnNetwork(p)).map((v) => v.ref),
        host: allHosts.map((h) => h.ref),
        description: '',
      }),
    });
  }

  dc.extra = () => ({
    vmFolder: vmFolder.ref,
    hostFolder: hostFolder.ref,
    datastoreFolder: dsFolder.ref,
    networkFolder: netFolder.ref,
    datastore: [...ctx.datastores.values()].map((d) => d.ref),
    network: [...ctx.networks.values()].map((n) => n.entity.ref),
  });
  return ctx;
}
