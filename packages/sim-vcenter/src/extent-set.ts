// A set of byte ranges kept sorted, non-overlapping and merged (adjacent ranges join).

export interface Area {
  start: number;
  length: number;
}

export class ExtentSet {
  // [start, end) pairs, sorted.
  private ranges: Array<[number, number]> = [];

  static from(areas: Iterable<Area>): ExtentSet {
    const set = new ExtentSet();
    for (const a of areas) set.add(a.start, a.length);
    return set;
  }

  add(start: number, length: number): void {
    if (length <= 0) return;
    let s = start;
    let e = start + length;
    const out: Array<[number, number]> = [];
    let placed = false;
    for (const r of this.ranges) {
      if (r[1] < s) out.push(r);
      else if (r[0] > e) {
        if (!placed) {
          out.push([s, e]);
          placed = true;
        }
        out.push(r);
      } else {
        s = Math.min(s, r[0]);
        e = Math.max(e, r[1]);
      }
    }
    if (!placed) out.push([s, e]);
    this.ranges = out;
  }

  addAll(other: ExtentSet): void {
    for (const [s, e] of other.ranges) this.add(s, e - s);
  }

  clone(): ExtentSet {
    const c = new ExtentSet();
    c.ranges = this.ranges.map(([s, e]) => [s, e]);
    return c;
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  get totalBytes(): number {
    return this.ranges.reduce((n, [s, e]) => n + (e - s), 0);
  }

  /** Areas intersecting [start, end), clipped to it. */
  areas(start = 0, end = Number.MAX_SAFE_INTEGER): Area[] {
    const out: Area[] = [];
    for (const [s, e] of this.ranges) {
      if (e <= start || s >= end) continue;
      const cs = Math.max(s, start);
      const ce = Math.min(e, end);
      out.push({ start: cs, length: ce - cs });
    }
    return out;
  }

  contains(offset: number): boolean {
    return this.ranges.some(([s, e]) => offset >= s && offset < e);
  }

  toJSON(): Array<[number, number]> {
    return this.ranges;
  }

  static fromJSON(ranges: Array<[number, number]>): ExtentSet {
    const set = new ExtentSet();
    for (const [s, e] of ranges) set.add(s, e - s);
    return set;
  }
}
