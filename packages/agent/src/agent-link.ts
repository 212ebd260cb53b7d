// The agent's one outbound connection: a WebSocket to a server's HTTPS port, pinned by that server's fingerprint,
// with heartbeats, request dispatch to the method handlers, and reconnects that walk the known servers
// round-robin (the paired one, then the peers learned from the servers: docs/scale-out.md#agents-and-scope) with
// a capped exponential backoff after each full round.
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
  type PeerServer,
  type RequestMessage,
} from './protocol';
import { EndpointRing, type ServerEndpoint } from './server-endpoints';

export interface AgentLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface HandlerContext {
  requestId: string;
  /** The server that sent the request (the link's endpoint then): NBD over the agent port goes there. */
  server: ServerEndpoint;
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
  /** The learned peer servers changed: the agent persists them so a restart still knows where to go. */
  onPeersLearned?: (peers: PeerServer[]) => void;
}

interface ConnectOutcome {
  wasOnline: boolean;
  refused: boolean;
  code?: number;
  reason: string;
}

export class AgentLink {
  private socket: WebSocket | undefined;
  private readonly stop = new AbortController();
  private readonly running = new Map<string, AbortController>();
  private heartbeatMs = 10_000;
  private loop: Promise<void> | undefined;
  private connectedOnce: (() => void) | undefined;
  private readonly endpoints: EndpointRing;
  readonly connected: Promise<void>;

  constructor(private readonly options: AgentLinkOptions) {
    this.connected = new Promise((resolve) => (this.connectedOnce = resolve));
    this.endpoints = new EndpointRing(options.credential);
  }

  /** The server the link is connected to, or tries next. */
  get endpoint(): ServerEndpoint {
    return this.endpoints.current;
  }

  /** The peers learned so far (what the credential file keeps). */
  get peers(): PeerServer[] {
    return this.endpoints.learned;
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

  /** Each attempt goes to the next server; the backoff sleep comes once per full round without success. */
  private async run(): Promise<void> {
    const backoff = this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    let delay = backoff.initialMs;
    let triedInRound = 0;
    while (!this.stop.signal.aborted) {
      const endpoint = this.endpoints.current;
      this.options.onState?.('connecting');
      const outcome = await this.connectOnce(endpoint);
      if (this.stop.signal.aborted) break;
      if (this.refusedFatally(endpoint, outcome)) break;
      if (outcome.wasOnline) {
        delay = backoff.initialMs;
        triedInRound = 0;
      }
      triedInRound += 1;
      this.moveOn(endpoint, outcome.reason);
      if (triedInRound < this.endpoints.size) continue;
      triedInRound = 0;
      this.options.logger.warn(
        { retry_in_ms: delay, reason: outcome.reason, servers: this.endpoints.size },
        'agent link down; reconnecting',
      );
      try {
        await this.clock.sleep(delay, this.stop.signal);
      } catch {
        break;
      }
      delay = Math.min(backoff.maxMs, delay * 2);
    }
  }

  /** A refusal (401, unauthorized) holds for that server only; a version mismatch ends the loop. */
  private refusedFatally(endpoint: ServerEndpoint, outcome: ConnectOutcome): boolean {
    if (!outcome.refused) {
      this.options.onState?.('offline');
      return false;
    }
    this.options.onState?.('refused');
    this.options.logger.error(
      { code: outcome.code, reason: outcome.reason, server_url: endpoint.url, server_id: endpoint.id },
      'server refused this agent',
    );
    return outcome.code === CLOSE_CODES.versionMismatch;
  }

  private moveOn(from: ServerEndpoint, reason: string): void {
    const next = this.endpoints.advance();
    if (this.endpoints.size === 1) return;
    this.options.logger.info(
      { from_url: from.url, server_url: next.url, server_id: next.id ?? 'paired', reason },
      'agent link trying the next server',
    );
  }

  /** A peer list from the connected server (welcome or heartbeat): kept, and persisted when it changed. */
  private learn(servers: PeerServer[] | undefined): void {
    if (servers === undefined || !this.endpoints.learn(servers)) return;
    const peers = this.endpoints.learned;
    this.options.logger.info(
      { servers: peers.map((p) => ({ server_id: p.id, server_url: p.agent_url })) },
      'agent learned the servers it can fail over to',
    );
    this.options.onPeersLearned?.(peers);
  }

  private connectOnce(endpoint: ServerEndpoint): Promise<ConnectOutcome> {
    const { credential } = this.options;
    const url = new URL(AGENT_CONNECT_PATH, endpoint.url.replace(/^http/, 'ws'));
    return new Promise((resolve) => {
      let wasOnline = false;
      let heartbeat: ReturnType<typeof setInterval> | undefined;
      const ws = new WebSocket(url, {
        headers: {
          authorization: `Bearer ${agentBearer(credential)}`,
          [AGENT_VERSION_HEADER]: this.options.version ?? VERSION,
          [AGENT_PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
        },
        createConnection: pinnedConnector(endpoint.fingerprint) as unknown as () => Duplex,
        handshakeTimeout: 15_000,
      });
      this.socket = ws;
      ws.on('message', (data: Buffer) => {
        let message;
        try {
          message = parseMessage(data.toString('utf8'));
        } catch (error) {
          this.options.logger.warn({ err: String(error), server_url: endpoint.url }, 'bad frame from server');
          return;
        }
        if (message.type === 'heartbeat') this.learn(message.servers);
        else if (message.type === 'welcome') {
          wasOnline = true;
          this.learn(message.servers);
          this.heartbeatMs = message.heartbeat_ms;
          // Wall-clock timer on purpose: heartbeats keep a real TCP connection alive.
          heartbeat = setInterval(
            () => this.send({ type: 'heartbeat', at: this.clock.now().toISOString() }),
            this.heartbeatMs,
          );
          heartbeat.unref();
          this.options.onState?.('online');
          this.options.logger.info(
            {
              agent_id: message.agent_id,
              server_version: message.server_version,
              server_url: endpoint.url,
              server_id: endpoint.id ?? 'paired',
            },
            'agent online',
          );
          this.connectedOnce?.();
        } else if (message.type === 'request') this.dispatch(message, endpoint);
      });
      ws.on('error', (error: Error) =>
        this.options.logger.warn({ err: error.message, server_url: endpoint.url }, 'agent link error'),
      );
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

  private dispatch(request: RequestMessage, server: ServerEndpoint): void {
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
      server,
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
