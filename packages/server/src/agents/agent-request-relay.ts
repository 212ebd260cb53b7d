// The answering side of relayed agent requests (docs/scale-out.md#agents-and-scope): claims the pending
// agent_requests rows of the agents connected to this server, sends each to its agent over the WebSocket and
// writes the answer (or the error) into the row for the asking server to read. Polls on the injected clock;
// at most `maxInFlight` requests run at once, the rest stay pending for the next poll.
import { toWireError, type AgentMethod, type AgentMethods } from '@migratekit/agent/protocol';
import { MigrateKitError, type Clock } from '@migratekit/core';
import type { AgentRequestRecord, AgentRequestRepository } from '@migratekit/db';
import type { Logger } from 'pino';
import type { SecretBox } from '../security/secret-box';
import type { AgentHub } from './agent-hub';
import { openRequestParams } from './agent-request-params';

const RELAYED_METHODS: ReadonlySet<string> = new Set<AgentMethod>(['discover', 'vm.info', 'vm.power']);

export interface AgentRequestRelayDeps {
  hub: Pick<AgentHub, 'list' | 'request'>;
  requests: AgentRequestRepository;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  serverId: string;
  /** Opens the parameters the asking server sealed (every server shares the master key). */
  secrets: Pick<SecretBox, 'open'>;
  pollMs?: number;
  maxInFlight?: number;
  /** Ended rows are deleted this long after they ended (default one hour). */
  retentionMs?: number;
}

export class AgentRequestRelay {
  private readonly inFlight = new Set<Promise<void>>();
  private loop: { stop: AbortController; done: Promise<void> } | undefined;
  private lastCleanup = 0;

  constructor(private readonly deps: AgentRequestRelayDeps) {}

  start(): void {
    if (this.loop !== undefined) return;
    const stop = new AbortController();
    this.loop = { stop, done: this.run(stop.signal) };
  }

  /** One poll: claims what this server's agents can answer and starts answering it; resolves once claimed. */
  async poll(): Promise<number> {
    const free = (this.deps.maxInFlight ?? 16) - this.inFlight.size;
    const agentIds = this.deps.hub.list().map((agent) => agent.id);
    if (free <= 0 || agentIds.length === 0) return 0;
    const claimed = await this.deps.requests.claimFor(agentIds, this.deps.serverId, free);
    for (const request of claimed) {
      const answering = this.answer(request).finally(() => this.inFlight.delete(answering));
      this.inFlight.add(answering);
    }
    await this.cleanup();
    return claimed.length;
  }

  /** Resolves when every claimed request has been answered (tests). */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.loop?.stop.abort();
    await this.loop?.done;
    this.loop = undefined;
    await this.whenIdle();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.poll();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'relaying agent requests failed; retrying at the next poll');
      }
      try {
        await this.deps.clock.sleep(this.deps.pollMs ?? 200, signal);
      } catch {
        return;
      }
    }
  }

  private async answer(request: AgentRequestRecord): Promise<void> {
    const remainingMs = request.deadline_at.getTime() - this.deps.clock.now().getTime();
    try {
      // A copy streams progress for hours and needs this server's NBD target: it moves as a whole job instead.
      if (!RELAYED_METHODS.has(request.method))
        throw new MigrateKitError('MKE_VALIDATION', { message: `${request.method} is not relayed between servers` });
      const result = await this.deps.hub.request(
        request.agent_id,
        request.method as AgentMethod,
        openRequestParams(this.deps.secrets, request.params) as AgentMethods[AgentMethod]['params'],
        { timeoutMs: Math.max(1, Math.min(request.timeout_ms, remainingMs)) },
      );
      await this.deps.requests.succeed(request.id, result);
    } catch (error) {
      const wire = toWireError(error);
      try {
        await this.deps.requests.fail(request.id, { code: wire.code, message: wire.message, details: wire.details });
      } catch (writeError) {
        this.deps.logger.error({ err: writeError, request_id: request.id }, 'could not record a relayed failure');
      }
    }
  }

  private async cleanup(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const retentionMs = this.deps.retentionMs ?? 3_600_000;
    if (now - this.lastCleanup < retentionMs / 4) return;
    this.lastCleanup = now;
    await this.deps.requests.deleteEndedBefore(new Date(now - retentionMs));
  }
}
