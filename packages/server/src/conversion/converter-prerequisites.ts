// What a server needs before it can convert guests: the libguestfs tools on PATH, a kernel for the libguestfs
// appliance, and for Windows the virtio-win drivers Debian does not ship (MIGRATEKIT_VIRTIO_WIN). Each missing
// piece is reported in a sentence naming the package or variable that provides it.
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { ConverterAvailability } from './guest-converter';

export const CONVERTER_TOOLS = [
  { command: 'virt-v2v-in-place', debianPackage: 'virt-v2v' },
  { command: 'virt-inspector', debianPackage: 'libguestfs-tools' },
] as const;

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The full path of `command` on PATH, or undefined. */
export async function findOnPath(command: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && (await isExecutable(join(dir, command)))) return join(dir, command);
  }
  return undefined;
}

/** libguestfs' supermin boots the host's kernel as its appliance unless SUPERMIN_KERNEL names another. */
async function hasApplianceKernel(env: NodeJS.ProcessEnv, bootDir: string): Promise<boolean> {
  if (env.SUPERMIN_KERNEL !== undefined && env.SUPERMIN_KERNEL !== '') return true;
  try {
    return (await readdir(bootDir)).some((name) => name.startsWith('vmlinuz-'));
  } catch {
    return false;
  }
}

export function windowsUnsupportedReason(virtioWin: string | undefined, virtioWinExists: boolean): string | undefined {
  if (virtioWin === undefined)
    return 'Windows guests need the virtio-win drivers, which Debian does not ship: set MIGRATEKIT_VIRTIO_WIN to their directory or ISO';
  if (!virtioWinExists) return `MIGRATEKIT_VIRTIO_WIN names ${virtioWin}, which does not exist on this server`;
  return undefined;
}

export async function checkPrerequisites(options: {
  env: NodeJS.ProcessEnv;
  virtioWin: string | undefined;
  bootDir?: string;
}): Promise<ConverterAvailability> {
  const missing: string[] = [];
  for (const tool of CONVERTER_TOOLS) {
    if ((await findOnPath(tool.command, options.env)) === undefined)
      missing.push(`${tool.command} (Debian package ${tool.debianPackage})`);
  }
  if (missing.length > 0) return { available: false, reason: `guest conversion needs ${missing.join(' and ')}` };
  if (!(await hasApplianceKernel(options.env, options.bootDir ?? '/boot')))
    return {
      available: false,
      reason: 'libguestfs needs a kernel in /boot for its appliance (Debian package linux-image-amd64)',
    };
  const virtioWinExists = options.virtioWin !== undefined && (await pathExists(options.virtioWin));
  const windows = windowsUnsupportedReason(options.virtioWin, virtioWinExists);
  return {
    available: true,
    unsupported: {
      ...(windows === undefined ? {} : { windows }),
      other: 'virt-v2v converts Linux and Windows guests only',
    },
  };
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
