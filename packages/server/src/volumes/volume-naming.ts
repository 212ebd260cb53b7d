// How a CloudStack volume is named outside CloudStack: its KVM disk serial, its /dev/disk/by-id link and its
// NBD export. See reference/cloudstack-api.md (diskUuidToSerial) and DESIGN §4.
import { join } from 'node:path';

/** KVM's disk serial for a volume: the uuid without dashes, first 20 characters. */
export function volumeSerial(volumeId: string): string {
  return volumeId.replaceAll('-', '').slice(0, 20);
}

/** The persistent name of the volume's block device on the server VM. */
export function byIdPath(byIdDir: string, volumeId: string): string {
  return join(byIdDir, `virtio-${volumeSerial(volumeId)}`);
}

/** The NBD export of a volume attached to the server: stable across re-attachments and device renames. */
export function volumeExportName(volumeId: string): string {
  return `vol-${volumeId}`;
}

export function isVolumeExportName(name: string): boolean {
  return name.startsWith('vol-');
}
