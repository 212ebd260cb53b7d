// What "discover resources" returns: CloudStack objects by name with their ids, sorted for dropdowns. The
// database stores the ids; the GUI shows the names.
import type { DiskOffering, Domain, Network, ServiceOffering, Template, Zone } from '@migratekit/cloudstack';

export interface DiscoveredNetwork {
  id: string;
  name: string;
  /** Isolated, Shared or L2: CloudStack's guest IP type of the network. */
  type: string;
  guest_ip_type: string;
  zone_id: string | null;
  zone_name: string | null;
  cidr: string | null;
  vlan: string | null;
  state: string | null;
  traffic_type: string | null;
  can_use_for_deploy: boolean | null;
  /** L2 and isolated networks are what a test failover should land in (docs/model.md#network-mapping). */
  is_test_candidate: boolean;
}

export interface DiscoveredResources {
  api_url: string;
  zones: { id: string; name: string; network_type: string | null; allocation_state: string | null }[];
  domains: { id: string; name: string; path: string | null }[];
  templates: {
    id: string;
    name: string;
    display_text: string | null;
    os_type: string | null;
    zone_id: string | null;
    hypervisor: string | null;
    size_bytes: number | null;
    is_ready: boolean | null;
  }[];
  service_offerings: {
    id: string;
    name: string;
    display_text: string | null;
    cpu_number: number | null;
    cpu_speed_mhz: number | null;
    memory_mb: number | null;
    is_customized: boolean;
  }[];
  disk_offerings: {
    id: string;
    name: string;
    display_text: string | null;
    disk_size_gb: number | null;
    is_customized: boolean;
  }[];
  networks: DiscoveredNetwork[];
}

const byName = <T extends { name: string }>(items: T[]): T[] => [...items].sort((a, b) => a.name.localeCompare(b.name));

export function toDiscoveredResources(
  apiUrl: string,
  found: {
    zones: Zone[];
    domains: Domain[];
    templates: Template[];
    serviceOfferings: ServiceOffering[];
    diskOfferings: DiskOffering[];
    networks: Network[];
  },
): DiscoveredResources {
  return {
    api_url: apiUrl,
    zones: byName(
      found.zones.map((z) => ({
        id: z.id,
        name: z.name,
        network_type: z.networktype ?? null,
        allocation_state: z.allocationstate ?? null,
      })),
    ),
    domains: byName(found.domains.map((d) => ({ id: d.id, name: d.name, path: d.path ?? null }))),
    templates: byName(
      found.templates.map((t) => ({
        id: t.id,
        name: t.name,
        display_text: t.displaytext ?? null,
        os_type: t.ostypename ?? null,
        zone_id: t.zoneid ?? null,
        hypervisor: t.hypervisor ?? null,
        size_bytes: t.size ?? null,
        is_ready: t.isready ?? null,
      })),
    ),
    service_offerings: byName(
      found.serviceOfferings.map((o) => ({
        id: o.id,
        name: o.name,
        display_text: o.displaytext ?? null,
        cpu_number: o.cpunumber ?? null,
        cpu_speed_mhz: o.cpuspeed ?? null,
        memory_mb: o.memory ?? null,
        is_customized: o.iscustomized === true,
      })),
    ),
    disk_offerings: byName(
      found.diskOfferings.map((o) => ({
        id: o.id,
        name: o.name,
        display_text: o.displaytext ?? null,
        disk_size_gb: o.disksize ?? null,
        is_customized: o.iscustomized === true,
      })),
    ),
    networks: byName(
      found.networks.map((n) => ({
        id: n.id,
        name: n.name,
        type: n.type,
        guest_ip_type: n.type,
        zone_id: n.zoneid ?? null,
        zone_name: n.zonename ?? null,
        cidr: n.cidr ?? null,
        vlan: n.vlan ?? null,
        state: n.state ?? null,
        traffic_type: n.traffictype ?? null,
        can_use_for_deploy: n.canusefordeploy ?? null,
        is_test_candidate: n.type === 'L2' || n.type === 'Isolated',
      })),
    ),
  };
}
