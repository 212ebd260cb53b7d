// The simulated estate of a load run: one vCenter of N small VMs (one disk of 1-16 MiB with a little seed data, so
// a replication copies real bytes in well under a second) and a CloudStack seed whose appliance VM takes as many
// data volumes as the run replicates (replicated volumes stay attached to the server VM between syncs).
import { writeFileSync } from 'node:fs';
import { DEFAULT_SEED, type SimSeed } from '@migratekit/sim-cloudstack';
import type { InventorySpec, VmSpec } from '@migratekit/sim-vcenter';
import type { LoadConfig } from './load-config';

const HOSTS = 8;
const DATASTORE = 'DS-LOAD';
const NETWORK = 'VM-Network-Load';
const SEED_KIB = 64;

export function loadVmName(index: number): string {
  return `load-vm-${String(index).padStart(5, '0')}`;
}

function vmSpec(config: LoadConfig, index: number): VmSpec {
  const span = config.maxDiskMiB - config.minDiskMiB + 1;
  const capacityMiB = config.minDiskMiB + (index % span);
  return {
    name: loadVmName(index),
    host: `esx-${String(index % HOSTS).padStart(2, '0')}.load.local`,
    guest: 'linux',
    guestId: 'ubuntu64Guest',
    guestFullName: 'Ubuntu Linux (64-bit)',
    powerState: 'poweredOn',
    cpus: 1,
    memoryMB: 512,
    cbtEnabled: true,
    disks: [{ capacityBytes: capacityMiB * 1024 * 1024, datastore: DATASTORE, seedBytes: SEED_KIB * 1024 }],
    nics: [{ network: NETWORK }],
  };
}

export function loadInventory(config: LoadConfig): InventorySpec {
  const vms = Array.from({ length: config.vms }, (_, i) => vmSpec(config, i));
  return {
    datacenters: [
      {
        name: 'DC-Load',
        hosts: Array.from({ length: HOSTS }, (_, i) => ({ name: `esx-${String(i).padStart(2, '0')}.load.local` })),
        datastores: [{ name: DATASTORE, capacityGiB: Math.ceil((config.vms * config.maxDiskMiB) / 1024) + 10 }],
        networks: [{ name: NETWORK }],
        vms,
      },
    ],
  };
}

/** The default CloudStack catalogue with room on the appliance VM for every replicated VM's volume. */
export function loadCloudStackSeed(config: LoadConfig): SimSeed {
  return { ...DEFAULT_SEED, limits: { maxDataVolumesLimit: Math.max(24, config.replicate + 10) } };
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value));
}
