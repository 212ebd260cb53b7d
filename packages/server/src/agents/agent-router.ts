// Where a vCenter's agent work goes (docs/scale-out.md#agents-and-scope). An agent keeps one link, to one server;
// each vCenter's requests go to an agent whose scope covers the vCenter's host: one connected to this server if
// there is one (a direct request over its WebSocket), else one connected to another live server, reached through
// the agent_requests table that server polls and answers (no server-to-server calls). Short requests only:
// progress does not travel through the table; a replication moves to the agent's server as a whole instead.
import { fromWireError, type AgentMethod, type AgentMethods, type WireError } from '@migratekit/agent/protocol';
import { MigrateKitError, type Clock } from '@migratekit/core';
import type { AgentRecord, AgentRepository, AgentRequestError, AgentRequestRepository } from '@migratekit/db';
import type { SecretBox } from '../security/secret-box';
import type { AgentHub } from './agent-hub';
import { sealRequestParams } from './agent-request-params';
import { scopeCovers } from './agent-scope';

export interface AgentRoute {
  agentId: string;
  /** The server that holds the agent's link; equal to this server's id for a local agent. */
  serverId: string;
  local: boolean;
}

export interface AgentRouterDeps {
  hub: Pick<AgentHub, 'list' | 'request'>;
  repositories: { agents: AgentRepository; agentRequests: AgentRequestRepository };
  clock: Clock;
  serverId: string;
  /** Seals a relayed request's parameters (they carry the vCenter password) before they reach the table. */
  secrets: Pick<SecretBox, 'seal'>;
  /** How often a relayed request's row is read for its answer (default 200 ms). */
  pollMs?: number;
}

export interface RoutedRequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export class AgentRouter {
  constructor(private readonly deps: AgentRouterDeps) {}

  /** The agent for `vcenterHost`: a local one first; MKE_AGENT_OFFLINE when no live server holds one. */
  async route(vcenterHost: string): Promise<AgentRoute> {
    const connected = new Set(this.deps.hub.list().map((agent) => agent.id));
    const known = connected.size === 0 ? [] : await this.deps.repositories.agents.list();
    const local = known.find((agent) => connected.has(agent.id) && scopeCovers(agent.scope, vcenterHost));
    if (local !== undefined) return { agentId: local.id, serverId: this.deps.serverId, local: true };
    const remote = (await this.deps.repositories.agents.listReachable()).find(
      (agent): agent is AgentRecord & { server_id: string } =>
        agent.server_id !== null && agent.server_id !== this.deps.serverId && scopeCovers(agent.scope, vcenterHost),
    );
    if (remote !== undefined) return { agentId: remote.id, serverId: remote.server_id, local: false };
    throw agentOffline(vcenterHost);
  }

  /**
   * Every agent that can serve `vcenterHost`: those connected here, then those connected to other live servers,
   * each once; empty when none. Replications choose among their servers (replication/mover-placement.ts).
   */
  async candidates(vcenterHost: string): Promise<AgentRoute[]> {
    const { agents } = this.deps.repositories;
    const connected = new Set(this.deps.hub.list().map((agent) => agent.id));
    const [known, reachable] = await Promise.all([
      connected.size === 0 ? Promise.resolve([]) : agents.list(),
      agents.listReachable(),
    ]);
    const local = known
      .filter((agent) => connected.has(agent.id) && scopeCovers(agent.scope, vcenterHost))
      .map((agent) => ({ agentId: agent.id, serverId: this.deps.serverId, local: true }));
    const remote = reachable
      .filter(
        (agent): agent is AgentRecord & { server_id: string } =>
          agent.server_id !== null &&
          agent.server_id !== this.deps.serverId &&
          !connected.has(agent.id) &&
          scopeCovers(agent.scope, vcenterHost),
      )
      .map((agent) => ({ agentId: agent.id, serverId: agent.server_id, local: false }));
    return [...local, ...remote];
  }

  /** True when some live server holds an agent (the scheduler skips its ticks otherwise). */
  async anyReachable(): Promise<boolean> {
    if (this.deps.hub.list().length > 0) return true;
    return (await this.deps.repositories.agents.listReachable()).length > 0;
  }

  /** A short request to the agent serving `vcenterHost`, directly or relayed through the database. */
  async request<M extends AgentMethod>(
    vcenterHost: string,
    method: M,
    params: AgentMethods[M]['params'],
    options: RoutedRequestOptions,
  ): Promise<AgentMethods[M]['result']> {
    const route = await this.route(vcenterHost);
    if (route.local) return this.deps.hub.request(route.agentId, method, params, options);
    return this.relay(route, method, params, options);
  }

  private async relay<M extends AgentMethod>(
    route: AgentRoute,
    method: M,
    params: AgentMethods[M]['params'],
    options: RoutedRequestOptions,
  ): Promise<AgentMethods[M]['result']> {
    const { agentRequests } = this.deps.repositories;
    const { clock } = this.deps;
    const deadline = new Date(clock.now().getTime() + options.timeoutMs);
    const request = await agentRequests.create({
      agent_id: route.agentId,
      method,
      params: sealRequestParams(this.deps.secrets, params),
      timeout_ms: options.timeoutMs,
      requested_by: this.deps.serverId,
      deadline_at: deadline,
    });
    for (;;) {
      const row = await agentRequests.get(request.id);
      if (row?.status === 'succeeded') return row.result as AgentMethods[M]['result'];
      if (row?.status === 'failed' || row === undefined) throw fromWireError(wireErrorOf(row?.error));
      const stop = options.signal?.aborted === true ? 'cancelled' : clock.now() >= deadline ? 'timeout' : undefined;
      if (stop !== undefined) {
        const error = relayStopped(stop, route, method, options.timeoutMs);
        // Conditional: an answer written meanwhile wins and is read at the next turn.
        if (await agentRequests.fail(request.id, { code: error.code, message: error.message })) throw error;
        continue;
      }
      await clock.sleep(this.deps.pollMs ?? 200);
    }
  }
}

/** MKE_AGENT_OFFLINE: no agent connected to a live server serves the vCenter. */
export function agentOffline(vcenterHost: string): MigrateKitError {
  return new MigrateKitError('MKE_AGENT_OFFLINE', {
    message: `No connected agent serves vCenter ${vcenterHost}`,
    details: { vcenter_host: vcenterHost },
  });
}

function relayStopped(stop: 'cancelled' | 'timeout', route: AgentRoute, method: string, timeoutMs: number) {
  if (stop === 'cancelled')
    return new MigrateKitError('MKE_CANCELLED', { message: `The relayed ${method} request was cancelled` });
  return new MigrateKitError('MKE_AGENT_LOST', {
    message: `Agent ${route.agentId} on server ${route.serverId} did not answer ${method} within ${timeoutMs} ms`,
    details: { agent_id: route.agentId, server_id: route.serverId, reason: 'request_timeout' },
  });
}

function wireErrorOf(error: AgentRequestError | null | undefined): WireError {
  if (error === null || error === undefined) return { code: 'MKE_INTERNAL', message: 'the relayed request vanished' };
  const details =
    typeof error.details === 'object' && error.details !== null
      ? (error.details as Record<string, unknown>)
      : undefined;
  return { code: error.code, message: error.message, ...(details === undefined ? {} : { details }) };
}
