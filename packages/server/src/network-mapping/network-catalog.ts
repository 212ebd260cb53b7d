// The destination side of network mapping: the active CloudStack's networks with what each is suitable for, name
// resolution, and the usability check that mapping validation and failover resolution share.
import type { CloudStackClient, Network } from '@migratekit/cloudstack';
import { MigrateKitError } from '@migratekit/core';
import { isTransient } from '../volumes/cloud-reads';
import type { CloudStackAccess } from '../cloudstack';
import type { ResolvedCloudStackConfig } from '../services/cloudstack-config.service';

export type NetworkKind = 'production' | 'test';

export interface AvailableNetwork {
  id: string;
  name: string;
  /** Isolated, Shared or L2. */
  type: string;
  zone_id: string | null;
  zone_name: string | null;
  state: string | null;
  vlan: string | null;
  cidr: string | null;
  can_use_for_deploy: boolean;
  in_configured_zone: boolean;
  /** Which mapping kinds may land here; empty when the network cannot be used for a failover at all. */
  suitable_for: NetworkKind[];
  /** Why suitable_for is empty (or null). */
  unsuitable_reason: string | null;
}

export interface NetworkSnapshot {
  zoneId: string | null;
  defaultNetworkId: string | null;
  networks: AvailableNetwork[];
  byId: Map<string, AvailableNetwork>;
}

/** Why a destination cannot take a failed-over NIC, or null when it can. */
export function unusableReason(network: AvailableNetwork | undefined, id: string): string | null {
  if (network === undefined) return `network ${id} no longer exists in CloudStack`;
  return network.unsuitable_reason;
}

/** The zone failed-over VMs are deployed in; null when neither the configuration nor a server VM says. */
export interface TargetZone {
  id: string;
  name: string | null;
}

function toAvailable(network: Network, zone: TargetZone | null): AvailableNetwork {
  const inZone = zone === null || network.zoneid === zone.id;
  const deployable = network.canusefordeploy !== false;
  const unsuitable = !inZone
    ? `network ${network.name} is in zone ${network.zonename ?? network.zoneid ?? 'unknown'}, not in ${zone.name ?? zone.id}, the zone of the configured CloudStack target`
    : !deployable
      ? `network ${network.name} cannot be used for deployment (canusefordeploy false)`
      : null;
  // Shared networks reach production: never a test target. Isolated and L2 suit both (SPEC: test on L2/isolated).
  const kinds: NetworkKind[] = network.type === 'Shared' ? ['production'] : ['production', 'test'];
  return {
    id: network.id,
    name: network.name,
    type: network.type,
    zone_id: network.zoneid ?? null,
    zone_name: network.zonename ?? null,
    state: network.state ?? null,
    vlan: network.vlan ?? null,
    cidr: network.cidr ?? null,
    can_use_for_deploy: deployable,
    in_configured_zone: inZone,
    suitable_for: unsuitable === null ? kinds : [],
    unsuitable_reason: unsuitable,
  };
}

const READ_ATTEMPTS = 3;

/** Reads change nothing: one a transient failure (5xx, transport, rate limit) cut short is asked again. */
async function read<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt >= READ_ATTEMPTS) throw error;
    }
  }
}

/**
 * The configuration's zone, else the server VM's: where the failover deploys (failover/target-vm.ts), so a network
 * elsewhere is refused here rather than by CloudStack at deploy time (error 431).
 */
export async function targetZone(
  client: CloudStackClient,
  config: Pick<ResolvedCloudStackConfig, 'zoneId' | 'serverVmId'>,
  signal?: AbortSignal,
): Promise<TargetZone | null> {
  const zoneId = config.zoneId;
  if (zoneId !== null) {
    const [zone] = await read(() => client.listZones({ id: zoneId }, signal));
    return { id: zoneId, name: zone?.name ?? null };
  }
  if (config.serverVmId === null) return null;
  const serverVmId = config.serverVmId;
  const [server] = await read(() => client.listVirtualMachines({ id: serverVmId, listall: true }, signal));
  return server?.zoneid === undefined ? null : { id: server.zoneid, name: server.zonename ?? null };
}

export class NetworkCatalog {
  constructor(private readonly cloudStack: CloudStackAccess) {}

  /** Every network the active configuration's account can see, right now (no cache: validation needs the truth). */
  async snapshot(): Promise<NetworkSnapshot> {
    const { client, config } = await this.cloudStack.active();
    const zone = await targetZone(client, config);
    const found = await read(() => client.listNetworks({ listall: true }));
    const networks = found
      .map((n) => toAvailable(n, zone))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return {
      zoneId: zone?.id ?? null,
      defaultNetworkId: config.defaultNetworkId,
      networks,
      byId: new Map(networks.map((n) => [n.id, n])),
    };
  }

  /** A network by exact name; an unknown name is 404, an ambiguous one 400 listing the candidates. */
  async resolveName(name: string, options: { zoneId?: string } = {}): Promise<AvailableNetwork> {
    const { networks } = await this.snapshot();
    const matches = networks.filter(
      (n) => n.name === name && (options.zoneId === undefined || n.zone_id === options.zoneId),
    );
    if (matches.length === 0)
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `No CloudStack network is named ${name}`,
        field: 'body.name',
        details: { name },
      });
    const [only, ...others] = matches;
    if (only === undefined || others.length > 0)
      throw new MigrateKitError('MKE_VALIDATION', {
        message: `${matches.length} CloudStack networks are named ${name}; name one by id or narrow by zone_id`,
        field: 'body.name',
        details: { candidates: matches.map((n) => ({ id: n.id, name: n.name, zone_id: n.zone_id, type: n.type })) },
      });
    return only;
  }

  async serviceOfferings(): Promise<
    {
      id: string;
      name: string;
      display_text: string | null;
      cpu_number: number | null;
      memory_mb: number | null;
      is_customized: boolean;
    }[]
  > {
    const { client } = await this.cloudStack.active();
    const offerings = await client.listServiceOfferings();
    return offerings
      .map((o) => ({
        id: o.id,
        name: o.name,
        display_text: o.displaytext ?? null,
        cpu_number: o.cpunumber ?? null,
        memory_mb: o.memory ?? null,
        is_customized: o.iscustomized === true,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
