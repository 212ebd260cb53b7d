// In-process publish/subscribe for job and context changes. The JobLog and services publish; the SSE route
// subscribes per connection. A listener that throws is logged and does not stop the others.
//
// With several servers on one database (docs/scale-out.md#events-across-servers) `publish` also hands each
// event to `forward` (the event relay), and the relay delivers the other servers' events with
// `deliverRemote`. Only subscribers that ask for `remote` get those: the live stream does; services that react
// to their own server's jobs (failover mirroring, repairs) do not, so no server acts on another's work twice.
export type EventListener<E> = (event: E) => void;

export interface SubscribeOptions {
  /** Also receive events published by other servers sharing the database (the live stream). */
  remote?: boolean;
}

interface Subscription<E> {
  listener: EventListener<E>;
  remote: boolean;
}

export class EventBus<E> {
  private readonly subscriptions = new Set<Subscription<E>>();

  constructor(
    private readonly onListenerError: (error: unknown) => void = () => undefined,
    /** Sends a locally published event to the other servers; must not throw. */
    private readonly forward: (event: E) => void = () => undefined,
  ) {}

  /** An event of this server: every subscriber gets it, and it is forwarded to the other servers. */
  publish(event: E): void {
    this.deliver(event, false);
    this.forward(event);
  }

  /** An event another server published: only the subscribers that asked for remote events get it. */
  deliverRemote(event: E): void {
    this.deliver(event, true);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener<E>, options: SubscribeOptions = {}): () => void {
    const subscription: Subscription<E> = { listener, remote: options.remote ?? false };
    this.subscriptions.add(subscription);
    return () => this.subscriptions.delete(subscription);
  }

  get listenerCount(): number {
    return this.subscriptions.size;
  }

  private deliver(event: E, remote: boolean): void {
    for (const { listener, remote: wantsRemote } of this.subscriptions) {
      if (remote && !wantsRemote) continue;
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
