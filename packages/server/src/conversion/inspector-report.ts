// Turns virt-inspector's XML report (virt-inspector(1) "XML FORMAT") into a GuestInspection, and decides whether
// virt-v2v is expected to convert what it found.
import { childrenNamed, parseXml, textOf, type XmlNode } from '@migratekit/node-common';
import type { GuestInspection, GuestOsFamily } from './guest-converter';
import { isConvertibleDistro } from './guest-os';

export interface InspectionPolicy {
  /** Why a Windows guest cannot be converted here (no virtio-win drivers), undefined when it can. */
  windowsUnsupportedReason: string | undefined;
}

function familyOf(name: string | undefined): GuestOsFamily {
  if (name === 'linux') return 'linux';
  if (name === 'windows') return 'windows';
  return name === undefined || name === '' ? 'unknown' : 'other';
}

/** The guest's kernel from its installed packages: Debian's linux-image-<release>, or an RPM kernel. */
function kernelOf(os: XmlNode): string | undefined {
  const applications = childrenNamed(childrenNamed(os, 'applications')[0], 'application');
  const releases: string[] = [];
  for (const app of applications) {
    const name = textOf(app, 'name') ?? '';
    const deb = /^linux-image-(\d[\w.+~-]*)$/.exec(name);
    if (deb?.[1] !== undefined) releases.push(deb[1]);
    else if (name === 'kernel' || name === 'kernel-core' || name === 'kernel-default') {
      const version = textOf(app, 'version');
      const release = textOf(app, 'release');
      if (version !== undefined) releases.push(release === undefined ? version : `${version}-${release}`);
    }
  }
  // The newest one is what the guest boots by default.
  return releases.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
}

function versionOf(os: XmlNode): string | undefined {
  const major = textOf(os, 'major_version');
  const minor = textOf(os, 'minor_version');
  if (major === undefined) return textOf(os, 'product_name');
  return minor === undefined ? major : `${major}.${minor}`;
}

function convertibility(
  family: GuestOsFamily,
  distro: string | undefined,
  policy: InspectionPolicy,
): { convertible: boolean; reason?: string } {
  if (family === 'linux') {
    return isConvertibleDistro(distro)
      ? { convertible: true }
      : { convertible: false, reason: `virt-v2v does not convert the Linux distribution "${distro ?? 'unknown'}"` };
  }
  if (family === 'windows') {
    return policy.windowsUnsupportedReason === undefined
      ? { convertible: true }
      : { convertible: false, reason: policy.windowsUnsupportedReason };
  }
  return { convertible: false, reason: 'virt-v2v converts Linux and Windows guests only' };
}

/** Parses virt-inspector's report; a report with no operating system is `unknown` and not convertible. */
export function inspectionFromReport(xml: string, policy: InspectionPolicy): GuestInspection {
  const systems = childrenNamed(parseXml(xml), 'operatingsystem');
  const os = systems[0];
  if (os === undefined) {
    return { osFamily: 'unknown', convertible: false, reason: 'no operating system was found on the disks' };
  }
  const osFamily = familyOf(textOf(os, 'name'));
  const distribution = textOf(os, 'distro');
  const verdict =
    systems.length > 1
      ? {
          convertible: false,
          reason: `the disks hold ${systems.length} operating systems (multi-boot); virt-v2v needs exactly one`,
        }
      : convertibility(osFamily, distribution, policy);
  return {
    osFamily,
    distribution,
    version: versionOf(os),
    kernel: kernelOf(os),
    ...verdict,
  };
}
