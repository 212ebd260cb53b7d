// The data directory holds the database, the master key, tokens and private keys: it is owner-only (0700) and
// every file in it is 0600. MigrateKit creates them so; at start-up it warns about anything looser (an
// operator's copy or chmod), without changing what the operator set.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the data directory (and missing parents) owner-only. */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
}

export interface LooseEntry {
  path: string;
  /** e.g. "0644" */
  mode: string;
}

/** The data directory and every file and directory below it that group or others may access. */
export function looseDataDirEntries(dir: string): LooseEntry[] {
  const loose: LooseEntry[] = [];
  const visit = (path: string): void => {
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0) loose.push({ path, mode: `0${(stat.mode & 0o777).toString(8)}` });
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(dir);
  return loose;
}

/** Logs one warning per entry that is looser than owner-only; returns them. */
export function warnAboutLooseModes(
  dir: string,
  logger: { warn(fields: Record<string, unknown>, message: string): void },
): LooseEntry[] {
  const loose = looseDataDirEntries(dir);
  for (const entry of loose)
    logger.warn(
      { path: entry.path, mode: entry.mode },
      'readable by group or others; the data directory should be 0700 and its files 0600',
    );
  return loose;
}
