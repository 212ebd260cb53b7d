import { formatRate } from '../lib/format';

export interface ThroughputSample {
  t: number;
  bytesPerSecond: number;
}

/** A small SVG area chart: no chart library for one line of samples. */
export function ThroughputChart({ samples, height = 120 }: { samples: ThroughputSample[]; height?: number }) {
  const width = 600;
  if (samples.length < 2) {
    return (
      <div
        className="flex items-center justify-center rounded border border-dashed border-slate-300 text-xs text-slate-500 dark:border-slate-700"
        style={{ height }}
      >
        Throughput appears here while data moves.
      </div>
    );
  }
  const t0 = samples[0]?.t ?? 0;
  const t1 = samples[samples.length - 1]?.t ?? 1;
  const peak = Math.max(...samples.map((s) => s.bytesPerSecond), 1);
  const x = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * width;
  const y = (v: number) => height - 4 - (v / peak) * (height - 16);
  const line = samples
    .map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.t).toFixed(1)},${y(s.bytesPerSecond).toFixed(1)}`)
    .join(' ');
  const last = samples[samples.length - 1]?.bytesPerSecond ?? 0;
  const avg = samples.reduce((a, s) => a + s.bytesPerSecond, 0) / samples.length;
  return (
    <figure>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        className="h-[120px] w-full text-sky-600"
        role="img"
        aria-label={`Throughput, now ${formatRate(last)}`}
      >
        <path d={`${line} L${width},${height} L0,${height} Z`} className="fill-sky-500/15" />
        <path d={line} fill="none" stroke="currentColor" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
      </svg>
      <figcaption className="mt-1 flex gap-4 text-xs text-slate-500">
        <span>now {formatRate(last)}</span>
        <span>avg {formatRate(avg)}</span>
        <span>peak {formatRate(peak)}</span>
      </figcaption>
    </figure>
  );
}
