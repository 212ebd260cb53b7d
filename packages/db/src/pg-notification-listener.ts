// LISTEN on one PostgreSQL channel over a dedicated connection (a pooled one would be handed to other queries
// and lose the subscription). A lost connection is reported and re-established with a growing delay on the
// injected clock, so a restarted database or a killed backend ends in a listening connection again.
// Notifications sent while the connection was down are lost: NOTIFY is not durable.
import type { Clock } from '@migratekit/core';
import pg from 'pg';

export interface PgNotificationListenerOptions {
  url: string;
  channel: string;
  /** Shown in pg_stat_activity, so an operator can tell which server's LISTEN connection is which. */
  applicationName?: string;
  clock: Clock;
  onNotification: (payload: string) => void;
  /** A connection attempt failed or a live connection was lost; the listener retries on its own. */
  onError: (error: unknown, retryInMs: number) => void;
  /** Listening (again): after the first connection and after every reconnect. */
  onListening?: () => void;
  /** First delay before a reconnect; doubles up to maxReconnectDelayMs. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  connectTimeoutMs?: number;
}

export class PgNotificationListener {
  private client: pg.Client | undefined;
  private reconnecting: Promise<void> | undefined;
  private readonly stopped = new AbortController();

  constructor(private readonly options: PgNotificationListenerOptions) {}

  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Connects and listens; when that fails the error is reported and retries continue in the background. */
  async start(): Promise<void> {
    if (!(await this.connect())) this.reconnect();
  }

  async close(): Promise<void> {
    this.stopped.abort();
    await this.reconnecting;
    const client = this.client;
    this.client = undefined;
    await client?.end();
  }

  private async connect(): Promise<boolean> {
    const { url, channel, connectTimeoutMs, applicationName } = this.options;
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: connectTimeoutMs ?? 10_000,
      ...(applicationName === undefined ? {} : { application_name: applicationName }),
    });
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) this.options.onNotification(message.payload);
    });
    // Before `this.client` is set, a failure surfaces through connect()/query() below instead.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      this.options.onError(error, this.delay(0));
      await client.end().catch((endError: unknown) => this.options.onError(endError, this.delay(0)));
      return false;
    }
    if (this.stopped.signal.aborted) {
      await client.end();
      return true;
    }
    this.client = client;
    this.options.onListening?.();
    return true;
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.options.onError(error, this.delay(0));
    client.end().catch((endError: unknown) => this.options.onError(endError, this.delay(0)));
    this.reconnect();
  }

  private delay(attempt: number): number {
    const base = this.options.reconnectDelayMs ?? 1000;
    return Math.min(base * 2 ** attempt, this.options.maxReconnectDelayMs ?? 30_000);
  }

  private reconnect(): void {
    if (this.stopped.signal.aborted || this.reconnecting !== undefined) return;
    this.reconnecting = (async () => {
      for (let attempt = 0; !this.stopped.signal.aborted; attempt++) {
        try {
          await this.options.clock.sleep(this.delay(attempt), this.stopped.signal);
        } catch {
          return; // closed while waiting
        }
        if (await this.connect()) return;
      }
    })().finally(() => {
      this.reconnecting = undefined;
    });
  }
}
