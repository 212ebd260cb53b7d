// In-process publish/subscribe for job and context changes. The JobLog and services publish; the SSE route
// subscribes per connection. A listener that throws is logged and does not stop the others.
export type EventListener<E> = (event: E) => void;

export class EventBus<E> {
  private readonly listeners = new Set<EventListener<E>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  publish(event: E): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener<E>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
