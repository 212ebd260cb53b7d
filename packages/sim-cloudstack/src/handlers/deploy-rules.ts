import { invalidParameter } from '../api-error';
import { csv, mapParam, str, type HandlerContext } from '../sim-context';
import type { ApiObject, SimVm } from '../sim-types';

// deployVirtualMachine's parameter rules that are not about state: which NICs, and what a custom offering
// gets (UserVmManagerImpl.validateCustomParameters, with CloudStack's default limits).

const INT_MAX = 2147483647;
const MIN_MEMORY_MB = 32;

/** BaseCmd.convertDetailsToMap: every details[i].key=value merged into one map; keys keep their case. */
export function detailsParam(ctx: HandlerContext): Record<string, string> {
  return Object.assign({}, ...mapParam(ctx, 'details')) as Record<string, string>;
}

/** Integer.parseInt semantics for a detail value; -1 when absent or not a number, as NumbersUtil.parseInt. */
function parseIntDetail(value: string | undefined): number {
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : -1;
}

/**
 * A fixed offering ignores cpu/memory details. A custom one (no cpunumber/memory in the offering) needs
 * details[0].cpuNumber and details[0].memory; cpuSpeed only when the offering has no speed of its own.
 */
export function customResources(
  ctx: HandlerContext,
  offering: ApiObject,
): Pick<SimVm, 'cpunumber' | 'cpuspeed' | 'memory'> {
  if (offering.iscustomized !== true) return {};
  const details = detailsParam(ctx);
  if (Object.keys(details).length === 0)
    throw invalidParameter(
      'Need to specify custom parameter values cpu, cpu speed and memory when using custom offering',
    );
  const out: Pick<SimVm, 'cpunumber' | 'cpuspeed' | 'memory'> = {};
  if (typeof offering.cpunumber !== 'number') {
    const cpu = parseIntDetail(details.cpuNumber);
    if (cpu < 1) throw invalidParameter(`Invalid cpu cores value, specify a value between 1 and ${INT_MAX}`);
    out.cpunumber = cpu;
  } else if (details.cpuNumber !== undefined)
    throw invalidParameter(
      `The cpu cores of this offering id:${String(offering.id)} is not customizable. This is predefined in the template.`,
    );
  if (typeof offering.cpuspeed !== 'number') {
    const speed = parseIntDetail(details.cpuSpeed);
    if (speed < 1) throw invalidParameter(`Invalid cpu speed value, specify a value between 1 and ${INT_MAX}`);
    out.cpuspeed = speed;
  } else if (details.cpuSpeed !== undefined)
    throw invalidParameter(
      `The cpu speed of this offering id:${String(offering.id)} is not customizable. This is predefined in the template.`,
    );
  if (typeof offering.memory !== 'number') {
    const memory = parseIntDetail(details.memory);
    if (memory < MIN_MEMORY_MB)
      throw invalidParameter(`Invalid memory value, specify a value between ${MIN_MEMORY_MB} and ${INT_MAX}`);
    out.memory = memory;
  } else if (details.memory !== undefined)
    throw invalidParameter(
      `The memory of this offering id:${String(offering.id)} is not customizable. This is predefined in the template.`,
    );
  return out;
}

export interface NicRequest {
  networkid: string;
  ip?: string;
  mac?: string;
}

/** The NICs asked for, in order: iptonetworklist (per-NIC ip and mac) or networkids with ipaddress/macaddress for the first. */
export function nicRequests(ctx: HandlerContext): NicRequest[] {
  const ipToNetwork = mapParam(ctx, 'iptonetworklist');
  const networkIds = csv(ctx, 'networkids');
  const ipaddress = str(ctx, 'ipaddress');
  const macaddress = str(ctx, 'macaddress');
  if (ipToNetwork.length > 0) {
    if (networkIds.length > 0 || ipaddress !== undefined)
      throw invalidParameter("ipToNetworkMap can't be specified along with networkIds or ipAddress");
    return ipToNetwork.map((entry, index) => {
      if (entry.networkid === undefined) throw invalidParameter(`iptonetworklist[${index}].networkid is required`);
      const nic: NicRequest = { networkid: entry.networkid };
      if (entry.ip) nic.ip = entry.ip;
      if (entry.mac) nic.mac = entry.mac;
      if (index === 0 && macaddress !== undefined && nic.mac === undefined) nic.mac = macaddress;
      return nic;
    });
  }
  return networkIds.map((networkid, index) => {
    const nic: NicRequest = { networkid };
    if (index === 0 && ipaddress !== undefined) nic.ip = ipaddress;
    if (index === 0 && macaddress !== undefined) nic.mac = macaddress;
    return nic;
  });
}
