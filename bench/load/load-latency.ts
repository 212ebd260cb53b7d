// API latency samples: GET /api/v1/vm-contexts (the VM list, first page of 50 of all contexts) and a job's detail
// (GET /api/v1/replications/{id}), spread round-robin over the servers that are alive, one request at a time.
import type { LoadApi } from './load-api';

export interface Percentiles {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles in ms; NaN when nothing was measured. */
export function percentiles(samples: readonly number[], errors = 0): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN);
  return {
    count: sorted.length,
    errors,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export class LatencySeries {
  readonly samples: number[] = [];
  errors = 0;

  async measure(api: LoadApi, path: string): Promise<void> {
    try {
      const answer = await api.call('GET', path, undefined, 10_000);
      if (answer.status === 200) this.samples.push(answer.ms);
      else this.errors += 1;
    } catch {
      this.errors += 1;
    }
  }

  summary(): Percentiles {
    return percentiles(this.samples, this.errors);
  }
}

export const LIST_PATH = '/api/v1/vm-contexts?limit=50';

/** `count` sequential list requests over `apis` (a short warm-up per server is not counted). */
export async function sampleList(apis: () => readonly LoadApi[], count: number): Promise<LatencySeries> {
  for (const api of apis()) for (let i = 0; i < 3; i++) await api.call('GET', LIST_PATH, undefined, 10_000);
  const series = new LatencySeries();
  for (let i = 0; i < count; i++) {
    const pool = apis();
    const api = pool[i % pool.length];
    if (api !== undefined) await series.measure(api, LIST_PATH);
  }
  return series;
}

export async function sampleJobDetail(
  apis: () => readonly LoadApi[],
  jobIds: readonly string[],
  count: number,
): Promise<LatencySeries> {
  const series = new LatencySeries();
  if (jobIds.length === 0) return series;
  for (let i = 0; i < count; i++) {
    const pool = apis();
    const api = pool[i % pool.length];
    const jobId = jobIds[(i * 7919) % jobIds.length];
    if (api !== undefined && jobId !== undefined) await series.measure(api, `/api/v1/replications/${jobId}`);
  }
  return series;
}

/** While the replications run: one list or job-detail request every `intervalMs` until stopped. */
export class BackgroundSampler {
  readonly list = new LatencySeries();
  readonly jobDetail = new LatencySeries();
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(
    private readonly apis: () => readonly LoadApi[],
    private readonly jobIds: () => Promise<string[]>,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async loop(): Promise<void> {
    let i = 0;
    let ids: string[] = [];
    while (!this.stopped) {
      const pool = this.apis();
      const api = pool[i % pool.length];
      if (i % 20 === 0) ids = await this.jobIds().catch(() => ids);
      const jobId = ids[(i * 7919) % Math.max(1, ids.length)];
      if (api !== undefined) {
        if (i % 2 === 0) await this.list.measure(api, LIST_PATH);
        else if (jobId !== undefined) await this.jobDetail.measure(api, `/api/v1/replications/${jobId}`);
      }
      i += 1;
      await new Promise((r) => setTimeout(r, this.intervalMs));
    }
  }
}
