// The server's side of the agent link: which agents are connected, requests with ids and timeouts over each
// agent's WebSocket, progress routed to the caller, liveness (status and last_seen in the agents table). An
// agent that goes silent for `heartbeatTimeoutMs` (clock-driven) is disconnected and its requests fail with
// MKE_AGENT_LOST; a closed connection fails them at once.
import { randomBytes } from 'node:crypto';
import {
  CLOSE_CODES,
  MAX_PEER_SERVERS,
  PROTOCOL_VERSION,
  encodeMessage,
  fromWireError,
  parseMessage,
  type AgentMethod,
  type AgentMethods,
  type ChannelMessage,
  type PeerServer,
} from '@migratekit/agent/protocol';
import { MigrateKitError, VERSION, type Clock } from '@migratekit/core';
import type { AgentRepository } from '@migratekit/db';
import type { Logger } from 'pino';

/** The part of a `ws` WebSocket the hub uses (tests may pass a fake). */
export interface AgentSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: Buffer | string) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface AgentHubDeps {
  agents: AgentRepository;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** How often each side sends a heartbeat (told to the agent in the welcome). */
  heartbeatMs?: number;
  /** Silence after which an agent counts as lost (default 60 s). */
  heartbeatTimeoutMs?: number;
  /** This server's id, recorded on each agent it holds so other servers route to it (docs/scale-out.md). */
  serverId?: string;
  /**
   * The other live servers, told to each agent in its welcome and again when they change, so the agent can fail
   * over when this server dies (docs/scale-out.md#agents-and-scope). Without it agents learn none.
   */
  peerServers?: () => Promise<PeerServer[]>;
}

export interface RequestOptions<M extends AgentMethod> {
  /** Fails the request after this long without a response or a progress event. */
  timeoutMs: number;
  onProgress?: (progress: AgentMethods[M]['progress']) => void;
  signal?: AbortSignal;
}

interface Pending {
  method: AgentMethod;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress: ((data: never) => void) | undefined;
  deadline: number;
  timeoutMs: number;
}

interface Connection {
  agentId: string;
  name: string;
  socket: AgentSocket;
  connectedAt: Date;
  lastMessageAt: number;
  pending: Map<string, Pending>;
  closed: boolean;
  /** The peer list last sent to this agent (JSON), so a heartbeat carries it only when it changed. */
  sentPeers: string | undefined;
}

export interface ConnectedAgent {
  id: string;
  name: string;
  connected_at: Date;
  pending_requests: number;
}

export class AgentHub {
  private readonly connections = new Map<string, Connection>();
  private readonly stop = new AbortController();
  private readonly heartbeatMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly monitor: Promise<void>;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly deps: AgentHubDeps) {
    this.heartbeatMs = deps.heartbeatMs ?? 10_000;
    this.heartbeatTimeoutMs = deps.heartbeatTimeoutMs ?? 60_000;
    this.monitor = this.watch();
  }

  /**
   * The other live servers for a welcome (bounded); undefined when there is no source or it failed, and the
   * welcome then goes without the list (the agent keeps what it knew).
   */
  async peerServers(): Promise<PeerServer[] | undefined> {
    if (this.deps.peerServers === undefined) return undefined;
    try {
      return (await this.deps.peerServers()).slice(0, MAX_PEER_SERVERS);
    } catch (error) {
      this.deps.logger.warn({ err: String(error) }, 'could not list the other servers for agents');
      return undefined;
    }
  }

  /**
   * Takes over an authenticated socket; an older connection of the same agent is replaced. `servers` (from
   * peerServers(), read before the upgrade) goes into the welcome.
   */
  attach(agent: { id: string; name: string; version: string }, socket: AgentSocket, servers?: PeerServer[]): void {
    const previous = this.connections.get(agent.id);
    if (previous !== undefined) this.drop(previous, CLOSE_CODES.replaced, 'replaced by a new connection');
    const connection: Connection = {
      agentId: agent.id,
      name: agent.name,
      socket,
      connectedAt: this.deps.clock.now(),
      lastMessageAt: this.deps.clock.now().getTime(),
      pending: new Map(),
      closed: false,
      sentPeers: servers === undefined ? undefined : JSON.stringify(servers),
    };
    this.connections.set(agent.id, connection);
    socket.on('message', (data) => this.onMessage(connection, typeof data === 'string' ? data : data.toString('utf8')));
    socket.on('close', () => this.onClosed(connection, 'connection closed'));
    socket.on('error', (error) =>
      this.deps.logger.warn({ agent_id: agent.id, err: error.message }, 'agent socket error'),
    );
    this.send(connection, {
      type: 'welcome',
      agent_id: agent.id,
      server_version: VERSION,
      protocol: PROTOCOL_VERSION,
      heartbeat_ms: this.heartbeatMs,
      ...(servers === undefined ? {} : { servers }),
    });
    void this.mark(agent.id, 'online', { version: agent.version, linked: true });
    this.deps.logger.info({ agent_id: agent.id, name: agent.name, version: agent.version }, 'agent connected');
    for (const wake of this.waiters) wake();
  }

  isConnected(agentId: string): boolean {
    return this.connections.has(agentId);
  }

  list(): ConnectedAgent[] {
    return [...this.connections.values()].map((c) => ({
      id: c.agentId,
      name: c.name,
      connected_at: c.connectedAt,
      pending_requests: c.pending.size,
    }));
  }

  /** A connected agent: the given one, else the first connected (one agent per estate today). */
  pick(agentId?: string): string {
    if (agentId !== undefined) {
      if (!this.connections.has(agentId))
        throw new MigrateKitError('MKE_AGENT_OFFLINE', { message: `Agent ${agentId} is not connected` });
      return agentId;
    }
    const first = this.connections.keys().next();
    if (first.done === true) throw new MigrateKitError('MKE_AGENT_OFFLINE');
    return first.value;
  }

  /** Resolves once an agent is connected (bounded by `timeoutMs` of the hub's clock). */
  async waitForAgent(timeoutMs: number, agentId?: string): Promise<string> {
    const deadline = this.deps.clock.now().getTime() + timeoutMs;
    for (;;) {
      const found =
        agentId === undefined ? this.connections.keys().next().value : this.connections.get(agentId)?.agentId;
      if (found !== undefined) return found;
      if (this.deps.clock.now().getTime() >= deadline) throw new MigrateKitError('MKE_AGENT_OFFLINE');
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
        void this.deps.clock.sleep(Math.min(250, timeoutMs)).then(wake, wake);
      });
    }
  }

  /** Sends a request and waits for its response; progress events reset the inactivity timeout. */
  request<M extends AgentMethod>(
    agentId: string,
    method: M,
    params: AgentMethods[M]['params'],
    options: RequestOptions<M>,
  ): Promise<AgentMethods[M]['result']> {
    const connection = this.connections.get(agentId);
    if (connection === undefined)
      return Promise.reject(new MigrateKitError('MKE_AGENT_OFFLINE', { message: `Agent ${agentId} is not connected` }));
    const id = `req-${randomBytes(8).toString('hex')}`;
    return new Promise<AgentMethods[M]['result']>((resolve, reject) => {
      const cleanup = (): void => {
        options.signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        // Tell the agent to stop; the pending entry is failed when it answers, or by the timeout.
        if (!connection.closed)
          this.send(connection, {
            type: 'request',
            id: `req-${randomBytes(8).toString('hex')}`,
            method: 'cancel',
            params: { request_id: id },
            timeout_ms: 10_000,
          });
      };
      connection.pending.set(id, {
        method,
        resolve: (value) => {
          cleanup();
          resolve(value as AgentMethods[M]['result']);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        onProgress: options.onProgress,
        deadline: this.deps.clock.now().getTime() + options.timeoutMs,
        timeoutMs: options.timeoutMs,
      });
      if (options.signal?.aborted === true) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
      this.send(connection, { type: 'request', id, method, params, timeout_ms: options.timeoutMs });
    });
  }

  /** Closes every connection (close code "server shutdown") and stops the monitor. */
  async close(): Promise<void> {
    this.stop.abort();
    for (const connection of [...this.connections.values()])
      this.drop(connection, CLOSE_CODES.serverShutdown, 'server shutting down');
    await this.monitor;
  }

  private send(connection: Connection, message: ChannelMessage): void {
    try {
      connection.socket.send(encodeMessage(message));
    } catch (error) {
      this.onClosed(connection, `send failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private onMessage(connection: Connection, raw: string): void {
    connection.lastMessageAt = this.deps.clock.now().getTime();
    let message: ChannelMessage;
    try {
      message = parseMessage(raw);
    } catch (error) {
      this.deps.logger.warn({ agent_id: connection.agentId, err: String(error) }, 'bad frame from agent');
      return;
    }
    if (message.type === 'heartbeat') {
      void this.mark(connection.agentId, 'online');
      return;
    }
    if (message.type !== 'response' && message.type !== 'progress') return;
    const pending = connection.pending.get(message.id);
    if (pending === undefined) return;
    pending.deadline = connection.lastMessageAt + pending.timeoutMs;
    if (message.type === 'progress') {
      try {
        pending.onProgress?.(message.data as never);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'agent progress listener failed');
      }
      return;
    }
    connection.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(fromWireError(message.error));
  }

  private onClosed(connection: Connection, reason: string): void {
    if (connection.closed) return;
    connection.closed = true;
    if (this.connections.get(connection.agentId) === connection) {
      this.connections.delete(connection.agentId);
      void this.mark(connection.agentId, 'offline', { linked: false });
    }
    for (const [id, pending] of connection.pending) {
      connection.pending.delete(id);
      pending.reject(
        new MigrateKitError('MKE_AGENT_LOST', {
          message: `Agent ${connection.name} disconnected during ${pending.method}: ${reason}`,
          details: { agent_id: connection.agentId, reason },
        }),
      );
    }
    this.deps.logger.warn({ agent_id: connection.agentId, reason }, 'agent disconnected');
  }

  private drop(connection: Connection, code: number, reason: string): void {
    try {
      connection.socket.close(code, reason);
    } catch {
      connection.socket.terminate();
    }
    this.onClosed(connection, reason);
  }

  /** Heartbeats out, silent agents and overdue requests failed; driven by the injected clock. */
  private async watch(): Promise<void> {
    const tick = Math.max(10, Math.min(this.heartbeatMs, 1_000));
    let lastBeat = this.deps.clock.now().getTime();
    while (!this.stop.signal.aborted) {
      try {
        await this.deps.clock.sleep(tick, this.stop.signal);
      } catch {
        return;
      }
      const now = this.deps.clock.now().getTime();
      const beat = now - lastBeat >= this.heartbeatMs;
      if (beat) lastBeat = now;
      // One lookup per beat for all agents, only while some are connected.
      const servers = beat && this.connections.size > 0 ? await this.peerServers() : undefined;
      for (const connection of [...this.connections.values()]) {
        if (now - connection.lastMessageAt >= this.heartbeatTimeoutMs) {
          connection.socket.terminate();
          this.onClosed(connection, `no message for ${Math.round((now - connection.lastMessageAt) / 1000)} s`);
          continue;
        }
        for (const [id, pending] of connection.pending) {
          if (now < pending.deadline) continue;
          connection.pending.delete(id);
          pending.reject(
            new MigrateKitError('MKE_AGENT_LOST', {
              message: `Agent ${connection.name} did not answer ${pending.method} within ${pending.timeoutMs} ms`,
              details: { agent_id: connection.agentId, reason: 'request_timeout' },
            }),
          );
        }
        if (beat) this.sendHeartbeat(connection, now, servers);
      }
    }
  }

  /** A heartbeat, carrying the peer list when it differs from the one this agent last got. */
  private sendHeartbeat(connection: Connection, now: number, servers: PeerServer[] | undefined): void {
    const peers = servers === undefined ? undefined : JSON.stringify(servers);
    const changed = peers !== undefined && peers !== connection.sentPeers;
    if (changed) connection.sentPeers = peers;
    this.send(connection, {
      type: 'heartbeat',
      at: new Date(now).toISOString(),
      ...(changed && servers !== undefined ? { servers } : {}),
    });
  }

  private async mark(
    agentId: string,
    status: string,
    extra: { version?: string; linked?: boolean } = {},
  ): Promise<void> {
    try {
      if (extra.version !== undefined) await this.deps.agents.update(agentId, { version: extra.version });
      const serverId = this.deps.serverId;
      if (serverId !== undefined && extra.linked === true) await this.deps.agents.setServer(agentId, serverId);
      if (serverId !== undefined && extra.linked === false) await this.deps.agents.clearServer(agentId, serverId);
      await this.deps.agents.markSeen(agentId, status);
    } catch (error) {
      this.deps.logger.warn({ agent_id: agentId, err: String(error) }, 'could not record agent status');
    }
  }
}
