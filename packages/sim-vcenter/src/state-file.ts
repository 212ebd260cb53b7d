import { readFile, rename, writeFile } from 'node:fs/promises';

// What survives a restart besides the disk files: allocation per disk (for changeId "*") and VM power/CBT.
// Snapshots and change-tracking history do not survive: a stale change id after a restart gets the FileFault
// a real host gives after a CBT reset, and the agent falls back to a full copy.

export interface SimStateFile {
  version: 1;
  disks: Record<string, { allocated: Array<[number, number]> }>;
  vms: Record<string, { powerState: string; cbtEnabled: boolean }>;
  /** Highest managed object id number handed out (snapshots, tasks), so none is reused. */
  lastId?: number;
}

export async function loadState(path: string): Promise<SimStateFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as SimStateFile;
    return parsed.version === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function saveState(path: string, state: SimStateFile): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, path);
}
