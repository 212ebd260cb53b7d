// Claims the replications other servers queued for the agents connected here every second, between heartbeats
// (docs/scale-out.md#what-is-claimed-how). The heartbeat's sweep claims them too, but only every heartbeat (10 s
// by default): a replication asked of a server without the agent, such as every one a scheduler leader without
// an agent starts, would otherwise wait up to that long before it starts. Claims are `SKIP LOCKED`, so the two
// claimers never take one job twice.
import type { Clock } from '@migratekit/core';
import type { Logger } from 'pino';

export interface QueuedClaimLoopDeps {
  /** ReplicationService.claimQueued: claims and launches; resolves to how many it claimed. */
  claim: () => Promise<number>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'error'>;
  intervalMs?: number;
}

export const DEFAULT_CLAIM_INTERVAL_MS = 1_000;

export class QueuedClaimLoop {
  private loop: { stop: AbortController; done: Promise<void> } | undefined;

  constructor(private readonly deps: QueuedClaimLoopDeps) {}

  start(): void {
    if (this.loop !== undefined) return;
    const stop = new AbortController();
    this.loop = { stop, done: this.run(stop.signal) };
  }

  async close(): Promise<void> {
    this.loop?.stop.abort();
    await this.loop?.done;
    this.loop = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.deps.clock.sleep(this.deps.intervalMs ?? DEFAULT_CLAIM_INTERVAL_MS, signal);
      } catch {
        return;
      }
      try {
        const claimed = await this.deps.claim();
        if (claimed > 0) this.deps.logger.info({ jobs: claimed }, 'claimed replications queued for agents here');
      } catch (error) {
        this.deps.logger.error({ err: error }, 'claiming queued replications failed; retrying in a second');
      }
    }
  }
}
