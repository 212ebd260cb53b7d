import { createRequire } from 'node:module';

// Node has no lseek(2), so SEEK_DATA / SEEK_HOLE come from the small native fs-ext addon. It is loaded
// lazily and optionally: without it, file exports report everything as data, which is always a correct
// (if less sparse) answer; the copy engine's zero detection still keeps the target sparse.

const SEEK_DATA = 3;
const SEEK_HOLE = 4;

type SeekFn = (
  fd: number,
  position: number,
  whence: number,
  callback: (err: Error | null, pos: number) => void,
) => void;
type SeekSyncFn = (fd: number, position: number, whence: number) => number;

interface FsExt {
  seek: SeekFn;
  seekSync: SeekSyncFn;
}

let loaded: FsExt | null | undefined;

function fsExt(): FsExt | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('fs-ext') as FsExt;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

export function seekSupported(): boolean {
  return fsExt() !== null;
}

function seek(fd: number, position: number, whence: number): Promise<number | null> {
  const ext = fsExt();
  if (!ext) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    ext.seek(fd, position, whence, (err, pos) => {
      // ENXIO: no data (or hole) at or after position, i.e. the rest of the file is a hole.
      if (err && (err as NodeJS.ErrnoException).code === 'ENXIO') resolve(-1);
      else if (err) reject(err);
      else resolve(pos);
    });
  });
}

/** Next offset holding data at or after `position`; -1 when none; null when seeking is unsupported. */
export function seekData(fd: number, position: number): Promise<number | null> {
  return seek(fd, position, SEEK_DATA);
}

export function seekHole(fd: number, position: number): Promise<number | null> {
  return seek(fd, position, SEEK_HOLE);
}

/** Size of a block device (stat reports 0 for those): lseek to the end. */
export function seekEnd(fd: number): number | null {
  const ext = fsExt();
  return ext ? ext.seekSync(fd, 0, 2) : null;
}
