// Deletes server_events rows older than the retention, a bounded batch at a time, every pruneIntervalMs on the
// injected clock. Every server prunes; their deletes overlap harmlessly.
import type { EventRelayDeps } from './event-relay';

export async function pruneLoop(deps: EventRelayDeps, signal: AbortSignal): Promise<void> {
  const { clock, logger, repositories, timings } = deps;
  while (!signal.aborted) {
    try {
      await clock.sleep(timings.pruneIntervalMs, signal);
    } catch {
      return; // closed
    }
    try {
      const cutoff = new Date(clock.now().getTime() - timings.retentionMs);
      const deleted = await repositories.serverEvents.pruneBefore(cutoff, timings.pruneBatchSize);
      if (deleted > 0) logger.debug({ deleted }, 'pruned relayed events');
    } catch (error) {
      logger.error({ err: error }, 'could not prune relayed events');
    }
  }
}
