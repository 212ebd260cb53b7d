// virt-v2v-in-place reads a multi-disk guest from libvirt domain XML (`-i libvirtxml`, see virt-v2v(1) "Minimal
// XML"): this writes that XML for the guest's disks as the server sees them. The disks are declared on a SCSI
// bus (sda, sdb, ...) because that is how a VMware guest saw them (pvscsi / LSI Logic), which is what lets
// virt-v2v map the guest's /dev/sdX names to the /dev/vdX names it will have on KVM.
import { escapeXml } from '@migratekit/node-common';

export interface DomainDisk {
  path: string;
  /** A block device (a volume attached to the server) or an image file (tests, the simulator's volumes). */
  kind: 'block' | 'file';
}

/** sda ... sdz, sdaa ...: the kernel's naming of the n-th SCSI disk. */
export function scsiDiskName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(97 + ((n - 1) % 26)) + name;
  }
  return `sd${name}`;
}

function diskXml(disk: DomainDisk, index: number): string {
  const source =
    disk.kind === 'block' ? `<source dev='${escapeXml(disk.path)}'/>` : `<source file='${escapeXml(disk.path)}'/>`;
  return [
    `    <disk type='${disk.kind}' device='disk'>`,
    `      <driver name='qemu' type='raw'/>`,
    `      ${source}`,
    `      <target dev='${scsiDiskName(index)}' bus='scsi'/>`,
    `    </disk>`,
  ].join('\n');
}

/** The domain XML of a guest named `name` whose disks are `disks`, the root disk first. */
export function conversionDomainXml(name: string, disks: readonly DomainDisk[]): string {
  return [
    `<domain type='kvm'>`,
    `  <name>${escapeXml(name)}</name>`,
    `  <memory unit='KiB'>2097152</memory>`,
    `  <vcpu>1</vcpu>`,
    `  <os><type>hvm</type><boot dev='hd'/></os>`,
    `  <features><acpi/><apic/></features>`,
    `  <devices>`,
    ...disks.map(diskXml),
    `  </devices>`,
    `</domain>`,
    '',
  ].join('\n');
}
