import { randomBytes } from 'node:crypto';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function utcStamp(date: Date): string {
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(
    date.getUTCMinutes(),
  )}${pad(date.getUTCSeconds())}`;
}

/** A VM name reduced to characters that are safe in ids and URLs. */
export function slugifyVmName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug === '' ? 'vm' : slug;
}

/**
 * `ctx-<vm>-<yyyymmdd-hhmmss>`, the shape operators know from the system MigrateKit replaces; a random suffix
 * keeps two adds in one second apart.
 */
export function newContextId(vmName: string, now: Date): string {
  return `ctx-${slugifyVmName(vmName)}-${utcStamp(now)}-${randomBytes(2).toString('hex')}`;
}

/** `job-<yyyymmdd-hhmmss.mmm>-<48 random bits>`: sortable by time and unique under concurrent creation. */
export function newJobId(now: Date, prefix = 'job'): string {
  return `${prefix}-${utcStamp(now)}.${pad(now.getUTCMilliseconds(), 3)}-${randomBytes(6).toString('hex')}`;
}

/** A random id with a readable prefix, for rows that need no time ordering. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(10).toString('hex')}`;
}
