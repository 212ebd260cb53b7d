// This server's presence among the servers sharing one database (docs/scale-out.md): its row in `servers`
// (addresses, data mover, attachment slots) and one heartbeat, on the injected clock, that renews the server's
// lease and the leases of the plain jobs it runs, then runs the periodic work every server does: ending the
// jobs of dead servers and claiming queued work for the agents it holds. A server whose heartbeat stops is dead
// once its lease expired; the others then take its work over.
import type { Clock } from '@migratekit/core';
import type { Repositories, ServerRegistration } from '@migratekit/db';
import type { Logger } from 'pino';

export interface PresenceTimings {
  /** How long a server (and each plain job it runs) counts as alive without a heartbeat. */
  leaseMs: number;
  heartbeatMs: number;
}

export const DEFAULT_PRESENCE_TIMINGS: PresenceTimings = { leaseMs: 30_000, heartbeatMs: 10_000 };

export interface ServerPresenceDeps {
  repositories: Pick<Repositories, 'servers' | 'jobLeases'>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  serverId: string;
  dataMover: { vmId: string | null; attachmentSlots: number };
  timings: PresenceTimings;
  /** The periodic work after each heartbeat (sweep, claims); an error is logged and retried next time. */
  afterHeartbeat: () => Promise<void>;
}

/** Where this server listens; agents pin the agent listener by `agent_fingerprint` (docs/scale-out.md). */
export interface ServerAddresses {
  api_url: string | null;
  agent_url: string | null;
  agent_fingerprint: string | null;
}

export class ServerPresence {
  private addresses: ServerAddresses = { api_url: null, agent_url: null, agent_fingerprint: null };
  private loop: { stop: AbortController; done: Promise<void> } | undefined;
  private beatInFlight: Promise<void> | undefined;
  private sweeping = false;

  constructor(private readonly deps: ServerPresenceDeps) {
    if (deps.timings.heartbeatMs >= deps.timings.leaseMs) throw new Error('heartbeatMs must be shorter than leaseMs');
  }

  get serverId(): string {
    return this.deps.serverId;
  }

  /** Start-up: writes this server's row with a fresh lease (before it recovers or takes any work). */
  async register(): Promise<void> {
    await this.deps.repositories.servers.register(this.registration(), this.deps.timings.leaseMs);
  }

  /** The listeners' addresses, known once they listen; written at once. */
  async advertise(addresses: ServerAddresses): Promise<void> {
    this.addresses = addresses;
    await this.register();
  }

  /**
   * Starts the heartbeat loop, right after register(): a server busy recovering must not look dead. The periodic
   * work waits for startSweeping(), once recovery is done.
   */
  start(): void {
    if (this.loop !== undefined) return;
    const stop = new AbortController();
    this.loop = { stop, done: this.run(stop.signal) };
  }

  /** From now on every heartbeat also does the periodic work (sweep, claims). */
  startSweeping(): void {
    this.sweeping = true;
  }

  /** One heartbeat (tests drive it by hand): lease, job leases, then the periodic work. */
  beat(): Promise<void> {
    this.beatInFlight ??= this.heartbeat().finally(() => {
      this.beatInFlight = undefined;
    });
    return this.beatInFlight;
  }

  /**
   * Stops the heartbeat. `expire` (a clean stop, after this server ended its own work): the lease ends now, so
   * nothing waits for it. Without it (tests of a dead server), the lease runs out on its own.
   */
  async stop(options: { expire: boolean }): Promise<void> {
    this.loop?.stop.abort();
    await this.loop?.done;
    this.loop = undefined;
    await this.beatInFlight;
    if (!options.expire) return;
    try {
      await this.deps.repositories.servers.expire(this.deps.serverId);
    } catch (error) {
      // Shutdown goes on (the listeners and links still have to close): the lease then runs out by itself.
      this.deps.logger.warn(
        { err: error, server_id: this.deps.serverId },
        'could not end this server lease at shutdown; other servers take over once it expires',
      );
    }
  }

  private async heartbeat(): Promise<void> {
    const { servers, jobLeases } = this.deps.repositories;
    const { leaseMs } = this.deps.timings;
    if (!(await servers.heartbeat(this.deps.serverId, leaseMs))) {
      this.deps.logger.warn(
        { server_id: this.deps.serverId },
        'this server had been removed from servers: registered again',
      );
      await this.register();
    }
    await jobLeases.renew(this.deps.serverId, new Date(this.deps.clock.now().getTime() + leaseMs));
    if (this.sweeping) await this.deps.afterHeartbeat();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.deps.clock.sleep(this.deps.timings.heartbeatMs, signal);
      } catch {
        return;
      }
      try {
        await this.beat();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'server heartbeat failed; retrying at the next one');
      }
    }
  }

  private registration(): ServerRegistration {
    return {
      id: this.deps.serverId,
      ...this.addresses,
      data_mover_vm_id: this.deps.dataMover.vmId,
      attachment_slots: this.deps.dataMover.attachmentSlots,
    };
  }
}
