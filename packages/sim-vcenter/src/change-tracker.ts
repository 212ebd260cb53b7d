import { randomBytes } from 'node:crypto';
import { ExtentSet } from './extent-set';

// Changed Block Tracking for one disk. A change id is "<tracking uuid>/<sequence>" like vSphere's
// "52 3c 5a 3c 95 b6 8c 2b-55 24 ab 21 11 af 1f 5a/3". Each mark() (a snapshot) closes an interval of writes;
// the areas changed since change id N up to mark M are the union of intervals N+1..M.

export type ChangeQuery = { ok: true; changed: ExtentSet } | { ok: false; reason: string };

function trackingUuid(): string {
  const hex = [...randomBytes(16)].map((b) => b.toString(16).padStart(2, '0'));
  return `${hex.slice(0, 8).join(' ')}-${hex.slice(8).join(' ')}`;
}

export function parseChangeId(changeId: string): { uuid: string; seq: number } | undefined {
  const slash = changeId.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const seq = Number(changeId.slice(slash + 1));
  if (!Number.isInteger(seq) || seq < 0) return undefined;
  return { uuid: changeId.slice(0, slash), seq };
}

export class ChangeTracker {
  private uuid: string | undefined;
  private seq = 0;
  private oldest = 0;
  private readonly intervals = new Map<number, ExtentSet>();
  private current = new ExtentSet();

  /** How many closed intervals are kept; older change ids become stale (FileFault), as on a real host. */
  constructor(private readonly maxHistory = 256) {}

  get enabled(): boolean {
    return this.uuid !== undefined;
  }

  /** The change id of the latest mark; undefined while tracking is off. */
  get currentChangeId(): string | undefined {
    return this.uuid === undefined ? undefined : `${this.uuid}/${this.seq}`;
  }

  /** Starts a fresh tracking session: every earlier change id becomes unknown. */
  enable(): void {
    this.uuid = trackingUuid();
    this.seq = 0;
    this.oldest = 0;
    this.intervals.clear();
    this.current = new ExtentSet();
  }

  disable(): void {
    this.uuid = undefined;
    this.intervals.clear();
    this.current = new ExtentSet();
  }

  recordWrite(offset: number, length: number): void {
    if (this.uuid !== undefined) this.current.add(offset, length);
  }

  /** Closes the current interval and returns the change id naming this point, or undefined when off. */
  mark(): string | undefined {
    if (this.uuid === undefined) return undefined;
    this.seq += 1;
    this.intervals.set(this.seq, this.current);
    this.current = new ExtentSet();
    while (this.intervals.size > this.maxHistory) {
      this.intervals.delete(this.oldest + 1);
      this.oldest += 1;
    }
    return this.currentChangeId;
  }

  /**
   * Areas written after change id `from` up to the mark `to` (a change id returned by mark()),
   * or up to now when `to` is undefined.
   */
  changesSince(from: string, to: string | undefined): ChangeQuery {
    if (this.uuid === undefined) return { ok: false, reason: 'change tracking is not enabled for this disk' };
    const f = parseChangeId(from);
    if (!f) return { ok: false, reason: `malformed change id ${from}` };
    if (f.uuid !== this.uuid) return { ok: false, reason: `change id ${from} belongs to another tracking session` };
    let end = this.seq;
    if (to !== undefined) {
      const t = parseChangeId(to);
      if (!t || t.uuid !== this.uuid)
        return { ok: false, reason: 'the snapshot predates the current tracking session' };
      end = t.seq;
    }
    if (f.seq > end) return { ok: false, reason: `change id ${from} is newer than the queried point` };
    if (f.seq < this.oldest) return { ok: false, reason: `change id ${from} is too old (history discarded)` };
    const changed = new ExtentSet();
    for (let k = f.seq + 1; k <= end; k++) {
      const interval = this.intervals.get(k);
      if (interval) changed.addAll(interval);
    }
    if (to === undefined) changed.addAll(this.current);
    return { ok: true, changed };
  }
}
