// The agent's one outbound connection: a WebSocket to the server's HTTPS port, pinned by fingerprint, with
// heartbeats, reconnect with capped exponential backoff, and request dispatch to the method handlers.
import type { Duplex } from 'node:stream';
import { MigrateKitError, VERSION, systemClock, type Clock } from '@migratekit/core';
import WebSocket from 'ws';
import { pinnedConnector } from './pinned-tls';
import {
  AGENT_CONNECT_PATH,
  AGENT_PROTOCOL_HEADER,
  AGENT_VERSION_HEADER,
  CLOSE_CODES,
  PROTOCOL_VERSION,
  agentBearer,
  encodeMessage,
  parseMessage,
  toWireError,
  type AgentCredential,
  type AgentMethod,
  type AgentToServer,
  type RequestMessage,
} from './protocol';

export interface AgentLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface HandlerContext {
  requestId: string;
  signal: AbortSignal;
  progress(data: unknown): void;
}

export type MethodHandler = (params: unknown, ctx: HandlerContext) => Promise<unknown>;
export type MethodHandlers = Partial<Record<Exclude<AgentMethod, 'cancel'>, MethodHandler>>;

export interface AgentLinkOptions {
  credential: AgentCredential;
  handlers: MethodHandlers;
  logger: AgentLogger;
  clock?: Clock;
  backoff?: { initialMs: number; maxMs: number };
  /** Reported in the handshake; tests use it to see the version check refuse. */
  version?: string;
  onState?: (state: 'connecting' | 'online' | 'offline' | 'refused') => void;
}

export class AgentLink {
  private socket: WebSocket | undefined;
  private readonly stop = new AbortController();
  private readonly running = new Map<string, AbortController>();
  private heartbeatMs = 10_000;
  private loop: Promise<void> | undefined;
  private connectedOnce: (() => void) | undefined;
  readonly connected: Promise<void>;

  constructor(private readonly options: AgentLinkOptions) {
    this.connected = new Promise((resolve) => (this.connectedOnce = resolve));
  }

  get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Closes the connection, aborts running handlers and stops reconnecting. */
  async close(): Promise<void> {
    this.stop.abort();
    for (const controller of this.running.values()) controller.abort(new MigrateKitError('MKE_CANCELLED'));
    this.socket?.close(1000, 'agent stopping');
    await this.loop;
  }

  /** Drops the connection without a goodbye (tests: a network cut); the loop reconnects. */
  cut(): void {
    this.socket?.terminate();
  }

  private async run(): Promise<void> {
    const backoff = this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    let delay = backoff.initialMs;
    while (!this.stop.signal.aborted) {
      this.options.onState?.('connecting');
      const outcome = await this.connectOnce();
      if (this.stop.signal.aborted) break;
      if (outcome.refused) {
        this.options.onState?.('refused');
        this.options.logger.error({ code: outcome.code, reason: outcome.reason }, 'server refused this agent');
        if (outcome.code === CLOSE_CODES.versionMismatch) break;
      } else this.options.onState?.('offline');
      if (outcome.wasOnline) delay = backoff.initialMs;
      this.options.logger.warn({ retry_in_ms: delay, reason: outcome.reason }, 'agent link down; reconnecting');
      try {
        await this.clock.sleep(delay, this.stop.signal);
      } catch {
        break;
      }
      delay = Math.min(backoff.maxMs, delay * 2);
    }
  }

  private connectOnce(): Promise<{ wasOnline: boolean; refused: boolean; code?: number; reason: string }> {
    const { credential } = this.options;
    const url = new URL(AGENT_CONNECT_PATH, credential.server_url.replace(/^http/, 'ws'));
    return new Promise((resolve) => {
      let wasOnline = false;
      let heartbeat: ReturnType<typeof setInterval> | undefined;
      const ws = new WebSocket(url, {
        headers: {
          authorization: `Bearer ${agentBearer(credential)}`,
          [AGENT_VERSION_HEADER]: this.options.version ?? VERSION,
          [AGENT_PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
        },
        createConnection: pinnedConnector(credential.server_fingerprint) as unknown as () => Duplex,
        handshakeTimeout: 15_000,
      });
      this.socket = ws;
      ws.on('message', (data: Buffer) => {
        let message;
        try {
          message = parseMessage(data.toString('utf8'));
        } catch (error) {
          this.options.logger.warn({ err: String(error) }, 'bad frame from server');
          return;
        }
        if (message.type === 'welcome') {
          wasOnline = true;
          this.heartbeatMs = message.heartbeat_ms;
          // Wall-clock timer on purpose: heartbeats keep a real TCP connection alive.
          heartbeat = setInterval(
            () => this.send({ type: 'heartbeat', at: this.clock.now().toISOString() }),
            this.heartbeatMs,
          );
          heartbeat.unref();
          this.options.onState?.('online');
          this.options.logger.info(
            { agent_id: message.agent_id, server_version: message.server_version },
            'agent online',
          );
          this.connectedOnce?.();
        } else if (message.type === 'request') this.dispatch(message);
      });
      ws.on('error', (error: Error) => this.options.logger.warn({ err: error.message }, 'agent link error'));
      ws.on('unexpected-response', (_req, res) => {
        const refused = res.statusCode === 401;
        ws.terminate();
        resolve({ wasOnline, refused, code: res.statusCode, reason: `HTTP ${res.statusCode ?? 0}` });
      });
      ws.on('close', (code: number, reason: Buffer) => {
        if (heartbeat !== undefined) clearInterval(heartbeat);
        for (const controller of this.running.values())
          controller.abort(new MigrateKitError('MKE_AGENT_LOST', { message: 'connection to the server closed' }));
        const refused = code === CLOSE_CODES.versionMismatch || code === CLOSE_CODES.unauthorized;
        resolve({ wasOnline, refused, code, reason: reason.toString('utf8') || `close ${code}` });
      });
    });
  }

  private send(message: AgentToServer): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(encodeMessage(message));
  }

  private dispatch(request: RequestMessage): void {
    if (request.method === 'cancel') {
      const target = (request.params as { request_id?: string }).request_id ?? '';
      const controller = this.running.get(target);
      controller?.abort(new MigrateKitError('MKE_CANCELLED'));
      this.send({ type: 'response', id: request.id, ok: true, result: { cancelled: controller !== undefined } });
      return;
    }
    const handler = this.options.handlers[request.method];
    if (handler === undefined) {
      this.send({
        type: 'response',
        id: request.id,
        ok: false,
        error: toWireError(new MigrateKitError('MKE_NOT_IMPLEMENTED', { message: `agent has no ${request.method}` })),
      });
      return;
    }
    const controller = new AbortController();
    this.running.set(request.id, controller);
    const ctx: HandlerContext = {
      requestId: request.id,
      signal: controller.signal,
      progress: (data) => this.send({ type: 'progress', id: request.id, data }),
    };
    handler(request.params, ctx)
      .then((result) => this.send({ type: 'response', id: request.id, ok: true, result }))
      .catch((error: unknown) => {
        this.options.logger.warn({ method: request.method, err: String(error) }, 'agent request failed');
        this.send({ type: 'response', id: request.id, ok: false, error: toWireError(error) });
      })
      .finally(() => this.running.delete(request.id));
  }
}
