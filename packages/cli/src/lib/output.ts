// Output for people (aligned tables, a progress bar on a terminal) and for machines (--json).
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(rows: Array<Record<string, unknown>>, columns: string[]): void {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '-';
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return JSON.stringify(v);
  };
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => cell(row[c])))}\n`);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit] ?? 'B'}`;
}

/** One line, redrawn in place on a terminal: `[#####.....]  45%  1.2 GiB / 2.6 GiB  85.0 MiB/s  ETA 17s`. */
export function progressLine(p: {
  percent: number;
  done: number;
  total: number;
  bps: number;
  eta: number | null;
  phase: string;
}): string {
  const width = 30;
  const filled = Math.round((Math.max(0, Math.min(100, p.percent)) / 100) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const eta = p.eta === null ? '' : `  ETA ${p.eta}s`;
  return `${bar} ${String(Math.round(p.percent)).padStart(3)}%  ${formatBytes(p.done)} / ${formatBytes(p.total)}  ${formatBytes(p.bps)}/s  ${p.phase}${eta}`;
}

export function drawProgress(line: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r${line}\u001b[K`);
}
