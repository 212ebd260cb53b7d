// The dev estate's one real guest (docs/conversion.md, "The dev estate's guest"): a VM of the vCenter simulator
// whose disk starts as the Debian image scripts/build-test-guest.sh builds, so a failover on `npm start` runs
// virt-v2v-in-place on a guest it can really convert. The simulator copies the raw image into the VM's disk file
// once, when that file is created; the image itself is only read.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InventorySpec, VmSpec } from '@migratekit/sim-vcenter';

export const DEV_GUEST_VM_NAME = 'debian-guest';
export const DEV_GUEST_IMAGE_VARIABLE = 'MIGRATEKIT_DEV_GUEST_IMAGE';
export const BUILD_GUEST_COMMAND = 'sudo bash scripts/build-test-guest.sh';

/**
 * The image `npm start` looks for: MIGRATEKIT_DEV_GUEST_IMAGE, else the build script's cache
 * ($MIGRATEKIT_PEERS_DIR/guest/debian-guest.img); undefined with MIGRATEKIT_DEV_GUEST_IMAGE=off.
 */
export function devGuestImagePath(env: NodeJS.ProcessEnv): string | undefined {
  const given = env[DEV_GUEST_IMAGE_VARIABLE] ?? '';
  if (given.toLowerCase() === 'off') return undefined;
  if (given !== '') return given;
  const peers = env.MIGRATEKIT_PEERS_DIR ?? '/var/cache/migratekit-peers';
  return join(peers, 'guest', 'debian-guest.img');
}

/** The VM: BIOS, one disk on a pvscsi controller (the guest's fstab names /dev/sda1), sized to hold the image. */
export function guestImageVm(image: string, host: string, datastore: string, network: string): VmSpec {
  const size = statSync(image).size;
  return {
    name: DEV_GUEST_VM_NAME,
    host,
    folder: 'Conversion',
    guest: 'linux',
    guestId: 'debian12_64Guest',
    guestFullName: 'Debian GNU/Linux 12 (64-bit)',
    firmware: 'bios',
    cpus: 1,
    memoryMB: 1024,
    powerState: 'poweredOn',
    tools: 'toolsOk',
    cbtEnabled: true,
    annotation: `Disk copied from ${image}: a failover converts it for KVM with virt-v2v-in-place`,
    disks: [{ capacityBytes: Math.ceil(size / 512) * 512, datastore, thin: true, image }],
    nics: [{ network, adapter: 'vmxnet3', connected: true }],
  };
}

export type DevGuestVm =
  { included: true; image: string; vmName: string } | { included: false; image: string; reason: string };

/**
 * `inventory` with the guest-image VM added to its first datacenter (on its first host, datastore and standard
 * network), when the image exists; otherwise unchanged, with the reason to tell the operator.
 */
export function withGuestImageVm(
  inventory: InventorySpec,
  image: string,
): { inventory: InventorySpec; guest: DevGuestVm } {
  if (!existsSync(image))
    return {
      inventory,
      guest: { included: false, image, reason: `${image} does not exist; build it with \`${BUILD_GUEST_COMMAND}\`` },
    };
  const [first, ...rest] = inventory.datacenters;
  const host = first?.clusters?.[0]?.hosts[0]?.name ?? first?.hosts?.[0]?.name;
  const datastore = first?.datastores[0]?.name;
  const network = first?.networks?.[0]?.name ?? first?.distributedSwitches?.[0]?.portgroups[0]?.name;
  if (first === undefined || host === undefined || datastore === undefined || network === undefined)
    return {
      inventory,
      guest: { included: false, image, reason: 'the estate has no host, datastore and network to place it on' },
    };
  // The resolved file: the cache's debian-guest.img is a link to the build of the current script.
  const resolved = realpathSync(image);
  const vm = guestImageVm(resolved, host, datastore, network);
  return {
    inventory: { datacenters: [{ ...first, vms: [...first.vms, vm] }, ...rest] },
    guest: { included: true, image: resolved, vmName: vm.name },
  };
}
