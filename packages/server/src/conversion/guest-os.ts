// Which operating-system family a guest is, from what vSphere reports (its guestId, or its guest full name as
// the context's os_type holds it) and from what libguestfs inspection finds, and whether virt-v2v can convert it.
import type { GuestOsFamily } from './guest-converter';

/**
 * vSphere's guest OS, as its guestId ("windows9Server64Guest", "winNetStandardGuest", "debian11_64Guest",
 * "otherLinux64Guest", ...) or as its full name ("Microsoft Windows Server 2019 (64-bit)", "Debian GNU/Linux 12
 * (64-bit)", "Other (64-bit)"): discovery stores the full name as the context's os_type.
 */
export function osFamilyFromGuestId(guestId: string | null | undefined): GuestOsFamily {
  if (guestId === null || guestId === undefined || guestId.trim() === '') return 'unknown';
  const id = guestId.toLowerCase();
  if (id.startsWith('win') || /\bwindows\b/.test(id)) return 'windows';
  if (
    /linux|debian|ubuntu|rhel|red hat|centos|fedora|sles|suse|rocky|alma|asianux|coreos|photon|amazonlinux|mandr|turbolinux|redhat/.test(
      id,
    )
  )
    return 'linux';
  // "otherGuest", "otherGuest64", "Other (64-bit)": vSphere does not know; inspection must tell.
  if (id.startsWith('other')) return 'unknown';
  return 'other';
}

/**
 * Linux distributions virt-v2v 2.2 converts (its Red Hat, SUSE and Debian families); others fail inside the
 * tool, so inspection reports them as not convertible beforehand.
 */
const CONVERTIBLE_DISTROS = new Set([
  'rhel',
  'centos',
  'fedora',
  'scientificlinux',
  'redhat-based',
  'oraclelinux',
  'rocky',
  'almalinux',
  'circle',
  'sles',
  'suse-based',
  'opensuse',
  'debian',
  'ubuntu',
  'linuxmint',
  'kalilinux',
]);

export function isConvertibleDistro(distro: string | undefined): boolean {
  return distro !== undefined && CONVERTIBLE_DISTROS.has(distro);
}
