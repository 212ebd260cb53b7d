import { SimApiError, invalidParameter } from '../api-error';
import type { ApiObject, SimNic, SimState } from '../sim-types';

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function usedOn(state: SimState, networkId: string, pending: SimNic[]): Set<string> {
  const used = new Set<string>();
  for (const nic of [...state.vms.flatMap((vm) => vm.nics), ...pending]) {
    if (nic.networkid === networkId && nic.ipaddress) used.add(nic.ipaddress);
  }
  return used;
}

/** The IP for a NIC: the requested one if it is valid and free, else the lowest free address. L2: none. */
export function allocateIp(
  state: SimState,
  network: ApiObject,
  requested: string | undefined,
  pending: SimNic[],
): string | undefined {
  const cidr = typeof network.cidr === 'string' ? network.cidr : undefined;
  if (cidr === undefined) return undefined;
  const [base = '', bitsText = '24'] = cidr.split('/');
  const bits = Number(bitsText);
  const first = ipToNumber(base) ?? 0;
  const size = 2 ** (32 - bits);
  const gateway = typeof network.gateway === 'string' ? network.gateway : undefined;
  const used = usedOn(state, String(network.id), pending);
  if (requested !== undefined) {
    const value = ipToNumber(requested);
    if (value === undefined || value <= first || value >= first + size - 1)
      throw invalidParameter(`Invalid ip address ${requested} for network ${String(network.name)} with cidr ${cidr}`);
    if (requested === gateway || used.has(requested))
      throw invalidParameter(`The IP address ${requested} is already in use in network ${String(network.name)}`);
    return requested;
  }
  for (let value = first + 2; value < first + size - 1; value++) {
    const ip = numberToIp(value);
    if (ip !== gateway && !used.has(ip)) return ip;
  }
  throw new SimApiError(533, `Insufficient address capacity in network ${String(network.name)}`, 4325);
}

/** The requested MAC if well formed and unused anywhere, else a fresh locally administered one. */
export function allocateMac(state: SimState, requested: string | undefined, pending: SimNic[]): string {
  const used = new Set([...state.vms.flatMap((vm) => vm.nics), ...pending].map((nic) => nic.macaddress));
  if (requested !== undefined) {
    const mac = requested.toLowerCase();
    if (!MAC_PATTERN.test(mac)) throw invalidParameter(`Mac address is not valid: ${requested}`);
    if (used.has(mac)) throw invalidParameter(`The MAC address ${mac} is already in use by another NIC`);
    return mac;
  }
  for (;;) {
    const bytes = [0x1e, ...Array.from({ length: 5 }, () => Math.floor(Math.random() * 256))];
    const mac = bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
    if (!used.has(mac)) return mac;
  }
}
