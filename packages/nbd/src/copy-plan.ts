import type { NbdBackend } from './nbd-backend';

export interface Range {
  offset: number;
  length: number;
}

export interface WorkItem {
  offset: number;
  length: number;
  /** Known to read as zeroes (from block status): no read needed. */
  zero: boolean;
}

const STATUS_WINDOW = 1024 * 1024 * 1024;
const MAX_ZERO_ITEM = 1024 * 1024 * 1024;

/** Sorts, merges and clips ranges to [from, size). */
export function normalizeRanges(ranges: Range[], size: number, from: number): Range[] {
  const sorted = ranges
    .map((r) => ({ offset: Math.max(r.offset, from), end: Math.min(r.offset + r.length, size) }))
    .filter((r) => r.end > r.offset)
    .sort((a, b) => a.offset - b.offset);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.offset <= last.offset + last.length) last.length = Math.max(last.length, r.end - last.offset);
    else out.push({ offset: r.offset, length: r.end - r.offset });
  }
  return out;
}

function* split(offset: number, length: number, size: number, zero: boolean): Generator<WorkItem> {
  for (let at = offset; at < offset + length; at += size)
    yield { offset: at, length: Math.min(size, offset + length - at), zero };
}

/**
 * Work items in increasing offset order. With `useBlockStatus`, each range is mapped with the source's
 * block status one large window at a time, so zero extents become single zero items and are never read.
 */
export async function* planWork(
  source: NbdBackend,
  ranges: Range[],
  requestSize: number,
  useBlockStatus: boolean,
): AsyncGenerator<WorkItem> {
  for (const range of ranges) {
    const end = range.offset + range.length;
    if (!useBlockStatus || !source.blockStatus) {
      yield* split(range.offset, range.length, requestSize, false);
      continue;
    }
    let at = range.offset;
    while (at < end) {
      const extents = await source.blockStatus(at, Math.min(STATUS_WINDOW, end - at));
      let progressed = false;
      for (const e of extents) {
        const from = Math.max(e.offset, at);
        const to = Math.min(e.offset + e.length, end);
        if (to <= from) continue;
        if (from !== at) break;
        yield* split(from, to - from, e.zero ? MAX_ZERO_ITEM : requestSize, e.zero);
        at = to;
        progressed = true;
      }
      // A server that reports nothing usable: copy the rest of the window as data rather than loop forever.
      if (!progressed) {
        const n = Math.min(STATUS_WINDOW, end - at);
        yield* split(at, n, requestSize, false);
        at += n;
      }
    }
  }
}
