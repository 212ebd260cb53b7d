// Discovery: the VM JSON of docs/model.md#discovery-and-add-to-management, and the per-VM validation concerns shown
// before "Add to Management".
import { MigrateKitError } from '@migratekit/core';
import { type Inventory, loadInventory } from './inventory';
import { retrieveFromContainer } from './property-collector';
import type { VimSession } from './soap/vim-session';
import { flattenSnapshots } from './vim-types';
import { parseVmDetails, type PowerState, type VmDetails, VM_REQUEST } from './vm-details';

export interface DiscoveredDisk {
  /** "disk-2000" (VMware device key). */
  id: string;
  label: string;
  capacity_bytes: number;
  datastore: string;
  vmdk_path: string;
  provisioning: 'thin' | 'thick';
  controller: string;
  unit_number: number | null;
}

export interface DiscoveredNetwork {
  label: string;
  /** The REAL vSphere network name (standard or distributed port group). */
  network_name: string;
  mac_address: string;
  adapter_type: string;
  connected: boolean;
}

export interface DiscoveredVm {
  /** config.instanceUuid */
  id: string;
  name: string;
  path: string;
  datacenter: string;
  power_state: PowerState;
  cpus: number;
  memory_mb: number;
  /** Guest OS full name as vSphere shows it ("Ubuntu Linux (64-bit)"). */
  os_type: string;
  guest_id: string;
  firmware: 'bios' | 'efi';
  tools_status: string;
  cbt_enabled: boolean;
  has_snapshots: boolean;
  disks: DiscoveredDisk[];
  networks: DiscoveredNetwork[];
}

export interface DiscoverOptions {
  /** Datacenter name or inventory path; all datacenters when omitted. */
  datacenter?: string | undefined;
  /** Case-insensitive match on VM name or path: a substring, or a glob with `*` and `?`. */
  filter?: string | undefined;
  /** Templates are skipped unless asked for. */
  includeTemplates?: boolean;
}

export interface DiscoveryResult {
  vm: DiscoveredVm;
  details: VmDetails;
  concerns: VmConcern[];
}

export function toDiscoveredVm(details: VmDetails): DiscoveredVm {
  return {
    id: details.instanceUuid,
    name: details.name,
    path: details.path ?? `/${details.name}`,
    datacenter: details.datacenter ?? '',
    power_state: details.powerState,
    cpus: details.cpus,
    memory_mb: details.memoryMb,
    os_type: details.guestFullName,
    guest_id: details.guestId,
    firmware: details.firmware,
    tools_status: details.toolsStatus,
    cbt_enabled: details.changeTrackingEnabled,
    has_snapshots: flattenSnapshots(details.snapshot).length > 0,
    disks: details.disks.map((d) => ({
      id: d.id,
      label: d.label,
      capacity_bytes: d.capacityBytes,
      datastore: d.datastoreName ?? '',
      vmdk_path: d.fileName,
      provisioning: d.thinProvisioned ? 'thin' : 'thick',
      controller: d.controllerLabel ?? '',
      unit_number: d.unitNumber ?? null,
    })),
    networks: details.nics.map((n) => ({
      label: n.label,
      network_name: n.networkName ?? '',
      mac_address: n.macAddress,
      adapter_type: n.adapterType,
      connected: n.connected,
    })),
  };
}

export type VmConcernCode =
  | 'cbt_disabled'
  | 'snapshots_present'
  | 'independent_disk'
  | 'rdm_disk'
  | 'no_disks'
  | 'template'
  | 'not_connected'
  | 'network_unresolved';

export interface VmConcern {
  code: VmConcernCode;
  /** A blocker prevents replication; a warning is something MigrateKit handles or the operator should know. */
  severity: 'blocker' | 'warning';
  message: string;
  disk_id?: string;
  nic_label?: string;
}

/** Problems to show per VM before it is added to management. */
export function vmConcerns(vm: VmDetails): VmConcern[] {
  const concerns: VmConcern[] = [];
  if (vm.template) concerns.push({ code: 'template', severity: 'blocker', message: 'VM is a template' });
  if (vm.connectionState !== 'connected') {
    concerns.push({
      code: 'not_connected',
      severity: 'blocker',
      message: `VM is ${vm.connectionState}; vCenter cannot operate on it`,
    });
  }
  if (vm.disks.length === 0) concerns.push({ code: 'no_disks', severity: 'blocker', message: 'VM has no disks' });
  if (!vm.changeTrackingEnabled) {
    concerns.push({
      code: 'cbt_disabled',
      severity: 'warning',
      message: 'Changed Block Tracking is off; it will be enabled before the first replication',
    });
  }
  const snapshots = flattenSnapshots(vm.snapshot).length;
  if (snapshots > 0) {
    concerns.push({
      code: 'snapshots_present',
      severity: 'warning',
      message: `VM has ${snapshots} existing snapshot(s); consolidating them before replication is recommended`,
    });
  }
  for (const disk of vm.disks) {
    if (disk.rdm) {
      concerns.push({
        code: 'rdm_disk',
        severity: 'blocker',
        message: `${disk.label} is a raw device mapping (${disk.rdmCompatibilityMode ?? 'unknown mode'})`,
        disk_id: disk.id,
      });
    } else if (disk.independent) {
      concerns.push({
        code: 'independent_disk',
        severity: 'blocker',
        message: `${disk.label} is independent (${disk.diskMode}); snapshots and CBT do not cover it`,
        disk_id: disk.id,
      });
    }
  }
  for (const nic of vm.nics) {
    if (nic.networkName === undefined) {
      concerns.push({
        code: 'network_unresolved',
        severity: 'warning',
        message: `${nic.label}: its network could not be resolved to a name`,
        nic_label: nic.label,
      });
    }
  }
  return concerns;
}

export function matchesFilter(filter: string | undefined, ...candidates: (string | undefined)[]): boolean {
  if (filter === undefined || filter.trim() === '') return true;
  const wanted = filter.trim().toLowerCase();
  const test = /[*?]/.test(wanted)
    ? (() => {
        const source = wanted
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.');
        const re = new RegExp(`^${source}$`);
        return (s: string) => re.test(s);
      })()
    : (s: string) => s.includes(wanted);
  return candidates.some((c) => c !== undefined && test(c.toLowerCase()));
}

/** Reads all VMs (one paged RetrievePropertiesEx) with their details, JSON and concerns. */
export async function discoverVmDetails(
  session: VimSession,
  options: DiscoverOptions = {},
  inventory?: Inventory,
): Promise<DiscoveryResult[]> {
  const inv = inventory ?? (await loadInventory(session));
  let container = session.serviceContent.rootFolder;
  if (options.datacenter !== undefined && options.datacenter !== '') {
    const dc = inv.findDatacenter(options.datacenter);
    if (dc === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `Datacenter ${options.datacenter} not found`,
        field: 'datacenter',
        details: { available: inv.datacenters.map((d) => d.name) },
      });
    }
    container = dc.ref;
  }
  // Device arrays make VM objects large; pages of 250 keep each answer a few MB on big vCenters.
  const objects = await retrieveFromContainer(session, container, [VM_REQUEST], { maxObjects: 250 });
  const results: DiscoveryResult[] = [];
  for (const content of objects) {
    if (content.obj.type !== 'VirtualMachine') continue;
    const details = parseVmDetails(content, inv);
    if (details.template && !options.includeTemplates) continue;
    if (details.instanceUuid === '') {
      // Inaccessible or orphaned VMs have no config: without an instance UUID they cannot be managed.
      session.logger.warn({ vm: details.ref.value, name: details.name }, 'vsphere VM without instance UUID skipped');
      continue;
    }
    if (!matchesFilter(options.filter, details.name, details.path)) continue;
    results.push({ vm: toDiscoveredVm(details), details, concerns: vmConcerns(details) });
  }
  results.sort((a, b) => (a.vm.path < b.vm.path ? -1 : a.vm.path > b.vm.path ? 1 : 0));
  return results;
}

export async function discoverVms(session: VimSession, options: DiscoverOptions = {}): Promise<DiscoveredVm[]> {
  return (await discoverVmDetails(session, options)).map((r) => r.vm);
}
