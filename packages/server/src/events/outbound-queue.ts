// The events a server still has to send to the others, in publish order. Bounded: when the database cannot keep
// up, new events are dropped and counted (a dashboard misses a progress step; the jobs themselves are in the
// database) instead of memory growing. One batch is in flight at a time, so the order is kept.
export interface OutboundQueueOptions<T> {
  maxPending: number;
  batchSize: number;
  send: (batch: T[]) => Promise<void>;
  /** A batch could not be sent (it is not retried). */
  onSendError: (error: unknown, lost: number) => void;
  /** Events were dropped because the queue was full; reported once the queue drains. */
  onDropped: (dropped: number) => void;
}

export class OutboundQueue<T> {
  private readonly pending: T[] = [];
  private draining: Promise<void> | undefined;
  private dropped = 0;

  constructor(private readonly options: OutboundQueueOptions<T>) {}

  get size(): number {
    return this.pending.length;
  }

  push(item: T): void {
    if (this.pending.length >= this.options.maxPending) {
      this.dropped += 1;
      return;
    }
    this.pending.push(item);
    this.kick();
  }

  /** Resolves once everything pushed so far was sent (or failed and was reported). */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private kick(): void {
    if (this.draining !== undefined) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // Pushed after the loop saw an empty queue but before this ran.
      if (this.pending.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.batchSize);
      try {
        await this.options.send(batch);
      } catch (error) {
        this.options.onSendError(error, batch.length);
      }
    }
    if (this.dropped > 0) {
      this.options.onDropped(this.dropped);
      this.dropped = 0;
    }
  }
}
