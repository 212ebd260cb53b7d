// Test controls: fail the next N calls or jobs of a command, fail a share of calls at random, add latency.

export interface FaultOptions {
  /** The CloudStack error code to answer with (default 530). */
  errorcode?: number;
  errortext?: string;
  /** 'drop' closes the connection without an answer (a transport error for the client). */
  mode?: 'error' | 'drop';
}

export interface ActiveFault extends Required<Omit<FaultOptions, 'errortext'>> {
  command: string;
  remaining: number;
  errortext: string | undefined;
}

export interface FailureRate {
  rate: number;
  errorcode: number;
  /** Commands it applies to; empty = every command except queryAsyncJobResult. */
  commands: string[];
  /** Also fail that share of async jobs. */
  jobs: boolean;
}

/** A small deterministic PRNG (mulberry32) so a failure-rate run can be repeated. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function matches(pattern: string, command: string): boolean {
  return pattern === '*' || pattern === command;
}

export class FaultControls {
  private calls: ActiveFault[] = [];
  private jobs: ActiveFault[] = [];
  private latency = new Map<string, number>();
  private failureRate: FailureRate | undefined;
  private random: () => number = mulberry32(1);

  /** The next `count` calls of `command` ('*' = any) fail before doing anything. */
  failNext(command: string, count = 1, options: FaultOptions = {}): void {
    this.calls.push(this.fault(command, count, options));
  }

  /** The next `count` async jobs of `command` end with jobstatus 2 and change nothing. */
  failJobs(command: string, count = 1, options: FaultOptions = {}): void {
    this.jobs.push(this.fault(command, count, options));
  }

  /** Extra delay for a command's reply (sync) or job (async); '*' for all. */
  setLatency(command: string, ms: number): void {
    if (ms <= 0) this.latency.delete(command);
    else this.latency.set(command, ms);
  }

  /** Makes a share of calls (and optionally jobs) fail at random, reproducibly for a given seed. */
  setFailureRate(rate: number, options: Partial<Omit<FailureRate, 'rate'>> & { seed?: number } = {}): void {
    this.failureRate =
      rate > 0
        ? { rate, errorcode: options.errorcode ?? 530, commands: options.commands ?? [], jobs: options.jobs ?? true }
        : undefined;
    this.random = mulberry32(options.seed ?? 1);
  }

  clear(): void {
    this.calls = [];
    this.jobs = [];
    this.latency.clear();
    this.failureRate = undefined;
  }

  takeCallFault(command: string): ActiveFault | undefined {
    return this.take(this.calls, command) ?? this.randomFault(command, false);
  }

  takeJobFault(command: string): ActiveFault | undefined {
    return this.take(this.jobs, command) ?? this.randomFault(command, true);
  }

  latencyFor(command: string): number {
    return (this.latency.get(command) ?? 0) + (this.latency.get('*') ?? 0);
  }

  describe(): Record<string, unknown> {
    return {
      calls: this.calls,
      jobs: this.jobs,
      latency: Object.fromEntries(this.latency),
      failureRate: this.failureRate ?? null,
    };
  }

  private fault(command: string, count: number, options: FaultOptions): ActiveFault {
    return {
      command,
      remaining: count,
      errorcode: options.errorcode ?? 530,
      errortext: options.errortext,
      mode: options.mode ?? 'error',
    };
  }

  private take(list: ActiveFault[], command: string): ActiveFault | undefined {
    const fault = list.find((f) => f.remaining > 0 && matches(f.command, command));
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) list.splice(list.indexOf(fault), 1);
    return fault;
  }

  private randomFault(command: string, job: boolean): ActiveFault | undefined {
    const rate = this.failureRate;
    if (!rate || (job && !rate.jobs)) return undefined;
    const applies = rate.commands.length === 0 ? command !== 'queryAsyncJobResult' : rate.commands.includes(command);
    if (!applies || this.random() >= rate.rate) return undefined;
    return { command, remaining: 0, errorcode: rate.errorcode, errortext: undefined, mode: 'error' };
  }
}
