import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimSeed } from './default-seed';
import { csDate, text } from './render';
import type { SimState } from './sim-types';

export const STATE_FILE = 'cloudstack-sim-state.json';

/** A fresh state from a seed: the catalogue, and the appliance VM running with its ROOT volume. */
export function initialState(seed: SimSeed, now: Date): SimState {
  const created = csDate(now);
  const rootDomain = seed.domains.find((d) => d.level === 0) ?? seed.domains[0];
  const state: SimState = {
    version: 1,
    nextDbId: 1,
    limits: { maxDataVolumesLimit: 6, ...seed.limits },
    account: seed.account ?? {
      id: '2b7c3d4e-2d6b-11ef-8b1a-525400a1b2c3',
      name: 'admin',
      userid: '2b7c4a5f-2d6b-11ef-8b1a-525400a1b2c3',
      username: 'admin',
      domainid: text(rootDomain?.id),
      domain: text(rootDomain?.name) || 'ROOT',
    },
    zones: structuredClone(seed.zones),
    domains: structuredClone(seed.domains),
    templates: structuredClone(seed.templates),
    serviceOfferings: structuredClone(seed.serviceOfferings),
    diskOfferings: structuredClone(seed.diskOfferings),
    networks: structuredClone(seed.networks),
    vms: [],
    volumes: [],
    snapshots: [],
    vmSnapshots: [],
    jobs: [],
  };
  const server = seed.serverVm;
  const template = state.templates.find((t) => t.id === server.templateid);
  const network = state.networks.find((n) => n.id === server.networkid);
  if (!network) throw new Error(`seed: serverVm.networkid ${server.networkid} is not a seeded network`);
  const dbId = state.nextDbId++;
  state.vms.push({
    id: server.id,
    dbId,
    name: server.name,
    displayname: server.name,
    zoneid: server.zoneid,
    templateid: server.templateid,
    serviceofferingid: server.serviceofferingid,
    state: 'Running',
    created,
    isServer: true,
    nics: [
      {
        id: randomUUID(),
        networkid: server.networkid,
        macaddress: server.macaddress ?? '1e:00:0a:00:00:01',
        isdefault: true,
        deviceid: 0,
        ...(server.ipaddress ? { ipaddress: server.ipaddress } : {}),
      },
    ],
  });
  const rootId = randomUUID();
  state.volumes.push({
    id: rootId,
    dbId: state.nextDbId++,
    name: `ROOT-${dbId}`,
    type: 'ROOT',
    state: 'Ready',
    sizeBytes: Number(template?.size ?? 20 * 1024 ** 3),
    zoneid: server.zoneid,
    vmId: server.id,
    deviceId: 0,
    attached: created,
    created,
    file: `volumes/${rootId}.img`,
  });
  return state;
}

export function loadState(dataDir: string): SimState | undefined {
  const file = join(dataDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<SimState>;
  // State files written before VM snapshots existed have no list for them.
  return { ...state, vmSnapshots: state.vmSnapshots ?? [] } as SimState;
}

/** Write-then-rename, so a crash leaves the previous state intact. */
export function saveState(dataDir: string, state: SimState): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, STATE_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}
