import { execFile } from 'node:child_process';
import { mkdir, open, rm, symlink, truncate, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** KVM's disk serial for a CloudStack volume: the uuid without dashes, first 20 characters. */
export function volumeSerial(volumeId: string): string {
  return volumeId.replaceAll('-', '').slice(0, 20);
}

/** Backing files of volumes and snapshots, and the /dev/disk/by-id style links of the server VM. */
export class VolumeFiles {
  readonly dataDir: string;
  readonly byIdDir: string;

  constructor(dataDir: string, byIdDir: string) {
    this.dataDir = resolve(dataDir);
    this.byIdDir = resolve(byIdDir);
  }

  path(relative: string): string {
    return join(this.dataDir, relative);
  }

  linkPath(volumeId: string): string {
    return join(this.byIdDir, `virtio-${volumeSerial(volumeId)}`);
  }

  /** Creates a sparse file of `sizeBytes` unless it exists already. */
  async ensure(relative: string, sizeBytes: number): Promise<void> {
    const file = this.path(relative);
    await mkdir(dirname(file), { recursive: true });
    const handle = await open(file, 'a');
    try {
      const { size } = await handle.stat();
      if (size === 0 && sizeBytes > 0) await handle.truncate(sizeBytes);
    } finally {
      await handle.close();
    }
  }

  async resize(relative: string, sizeBytes: number): Promise<void> {
    await truncate(this.path(relative), sizeBytes);
  }

  /** Copies keeping holes; writing into an existing destination keeps its inode (links stay valid). */
  async copySparse(fromRelative: string, toRelative: string): Promise<void> {
    const to = this.path(toRelative);
    await mkdir(dirname(to), { recursive: true });
    await run('cp', ['--sparse=always', this.path(fromRelative), to]);
  }

  async remove(relative: string): Promise<void> {
    await rm(this.path(relative), { force: true });
  }

  async link(volumeId: string, relative: string): Promise<void> {
    await mkdir(this.byIdDir, { recursive: true });
    const link = this.linkPath(volumeId);
    await rm(link, { force: true });
    await symlink(this.path(relative), link);
  }

  async unlink(volumeId: string): Promise<void> {
    await unlink(this.linkPath(volumeId)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
