// The source disk of the end-to-end benchmark and what it checks on it: the guest data laid into the vCenter
// simulator's disk (random data, written zeroes and never-written holes in seeded order), the scattered guest writes
// of the incremental case, the sha256 of a disk or volume file, and the peak RSS of a process.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';

const MiB = 2 ** 20;
const KiB = 1024;

/** A guest write into the source disk (the vCenter simulator's writeGuest for one VM and disk). */
export type GuestWrite = (offset: number, data: Buffer) => Promise<void>;

/** mulberry32: a small seeded generator, so layouts and write positions repeat from run to run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DiskLayout {
  dataBytes: number;
  /** Written by the guest as zeroes: allocated, so both copiers read them and detect the zeroes. */
  zeroBytes: number;
  /** Never written: unallocated, so block status / CBT leave them out. */
  holeBytes: number;
}

type Unit = 'data' | 'zero' | 'hole';
/** Per 10 MiB: 6 MiB random data, 2 MiB written zeroes, 2 MiB holes (60% data, 40% zeroes), shuffled. */
const GROUP: readonly Unit[] = ['data', 'data', 'data', 'data', 'data', 'data', 'zero', 'zero', 'hole', 'hole'];
/** Largest single guest write while filling (bounds the benchmark's own memory). */
const FILL_WRITE = 16 * MiB;

function shuffled(units: readonly Unit[], random: () => number): Unit[] {
  const out = [...units];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as Unit, out[i] as Unit];
  }
  return out;
}

/** Fills a fresh disk of `size` bytes (a multiple of 1 MiB) with the layout above, in runs of one kind. */
export async function fillDisk(write: GuestWrite, size: number, seed: number): Promise<DiskLayout> {
  const random = seeded(seed);
  const layout: DiskLayout = { dataBytes: 0, zeroBytes: 0, holeBytes: 0 };
  const units: Unit[] = [];
  for (let i = 0; i < size / MiB; i += GROUP.length) units.push(...shuffled(GROUP, random));
  units.length = size / MiB;
  const zeroes = Buffer.alloc(FILL_WRITE);
  let at = 0;
  while (at < units.length) {
    const kind = units[at] as Unit;
    let end = at + 1;
    while (end < units.length && units[end] === kind && end - at < FILL_WRITE / MiB) end++;
    const length = (end - at) * MiB;
    if (kind === 'data') await write(at * MiB, randomBytes(length));
    else if (kind === 'zero') await write(at * MiB, zeroes.subarray(0, length));
    layout[kind === 'data' ? 'dataBytes' : kind === 'zero' ? 'zeroBytes' : 'holeBytes'] += length;
    at = end;
  }
  return layout;
}

export interface ScatteredWrites {
  writes: number;
  /** Bytes the writes covered, overlaps counted once: what changed. */
  changedBytes: number;
}

/** Total length of the union of ranges. */
function unionBytes(ranges: Array<{ offset: number; length: number }>): number {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  let total = 0;
  let end = -1;
  for (const r of sorted) {
    const start = Math.max(r.offset, end);
    const stop = r.offset + r.length;
    if (stop > start) total += stop - start;
    end = Math.max(end, stop);
  }
  return total;
}

/**
 * Guest writes of 4 KiB to 1 MiB (4 KiB aligned, seeded positions over the whole disk) until `fraction` of the disk
 * has changed.
 */
export async function scatterWrites(
  write: GuestWrite,
  size: number,
  fraction: number,
  seed: number,
): Promise<ScatteredWrites> {
  const random = seeded(seed);
  const ranges: Array<{ offset: number; length: number }> = [];
  const goal = Math.round(size * fraction);
  let changed = 0;
  // Bytes written since the union was last computed: the union is recomputed only when it may reach the goal, so
  // the goal is overshot by less than one write.
  let pending = 0;
  while (changed < goal) {
    const length = (1 + Math.floor(random() * 256)) * 4 * KiB;
    const offset = Math.floor(random() * ((size - length) / (4 * KiB) + 1)) * 4 * KiB;
    await write(offset, randomBytes(length));
    ranges.push({ offset, length });
    pending += length;
    if (changed + pending >= goal) {
      changed = unionBytes(ranges);
      pending = 0;
    }
  }
  return { writes: ranges.length, changedBytes: unionBytes(ranges) };
}

/** sha256 of the first `length` bytes of a file (a volume file may be longer than the disk). */
export function sha256File(path: string, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path, { start: 0, end: length - 1, highWaterMark: 8 * MiB });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.once('error', reject);
    stream.once('end', () => resolve(hash.digest('hex')));
  });
}

/** Resident set size and its high-water mark of a live process, in bytes (from /proc/<pid>/status). */
export function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') * KiB, hwm: kib('VmHWM') * KiB };
}

/** Bytes a process passed to write(2) and send(2) so far (sockets included), from /proc/<pid>/io. */
export function bytesWrittenBy(pid: number): number | undefined {
  try {
    return Number(/^wchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

/** Samples the RSS of some processes every `intervalMs` until stopped; keeps the peak of each. */
export class RssSampler {
  private readonly peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: readonly number[],
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    for (const pid of this.pids) {
      const rss = memoryOf(pid)?.rss;
      if (rss !== undefined) this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, rss));
    }
  }

  /** Stops sampling; the peak RSS of each process in bytes (0 when it could not be read). */
  stop(): number[] {
    clearInterval(this.timer);
    this.sample();
    return this.pids.map((pid) => this.peaks.get(pid) ?? 0);
  }
}

/** Linux clock ticks per second (USER_HZ), what /proc/<pid>/stat counts CPU time in. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) a process has used so far; with `reapedChildren`, those of its children that have
 * ended and been waited for instead (how a finished nbdcopy's CPU time is read from this process).
 */
export function cpuSecondsOf(pid: number | 'self', reapedChildren = false): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const at = reapedChildren ? 13 : 11;
  return (Number(fields[at]) + Number(fields[at + 1])) / TICKS_PER_SECOND;
}
