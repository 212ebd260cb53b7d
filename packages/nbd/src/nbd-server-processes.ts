// The connection processes of an NbdServer (docs/benchmarks.md, "Our server on every core"). The server
// accepts and negotiates every connection itself (so authorization, export lookup and TLS stay in one place);
// a negotiated plain-TCP connection to a file export then moves, socket and all, to the least busy child,
// which serves its requests. Connections inside TLS cannot move (their session lives in this process) and
// stay here.
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Clock } from '@migratekit/core';
import type { NbdLogger } from './nbd-logger';
import type { ChildLimits, FromChild, ServeConnection, ToChild } from './nbd-server-process-messages';

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  /** Connection id -> export name, for the connections this child serves. */
  connections: Map<number, string>;
  removals: Map<string, Array<(closed: number) => void>>;
  exited: Promise<void>;
  alive: boolean;
}

export type HandOff = Omit<ServeConnection, 'type' | 'id'>;

/**
 * The connection processes `migratekit nbd serve` starts by default: one per core (at most 8), as the parent only
 * accepts and negotiates. On 2 cores, 2 processes served nbdcopy at 0.85-0.92 x nbdkit's speed, 1 process
 * 0.77-0.81 and none 0.75-0.84 (docs/benchmarks.md, nbd, 2026-12-04 server sweep).
 */
export function defaultConnectionProcesses(cores = availableParallelism()): number {
  return cores >= 2 ? Math.min(cores, 8) : 0;
}

const READY_TIMEOUT_MS = 60_000;
const EXIT_GRACE_MS = 5_000;

export class ConnectionProcesses {
  private readonly children: Child[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly count: number,
    private readonly limits: ChildLimits,
    private readonly logger: NbdLogger,
    private readonly clock: Clock,
  ) {}

  /** Starts the children now, so that the first connection does not wait for one to load. */
  start(): void {
    while (this.children.length < this.count) this.children.push(this.spawn());
  }

  private spawn(): Child {
    const child = fork(new URL('./nbd-server-child-bootstrap.mjs', import.meta.url), [], {
      // The parent's flags (a test runner's --test, an inspector port) are not for this process.
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const entry: Child = {
      process: child,
      connections: new Map(),
      removals: new Map(),
      alive: true,
      ready: Promise.resolve(),
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    };
    entry.ready = new Promise((resolve, reject) => {
      const started = new AbortController();
      this.clock.sleep(READY_TIMEOUT_MS, started.signal).then(
        () => reject(new Error('NBD connection process did not start')),
        () => undefined,
      );
      child.once('exit', () => reject(new Error('NBD connection process exited while starting')));
      child.on('message', (msg: FromChild) => {
        if (msg.type === 'ready') {
          started.abort();
          resolve();
        } else this.onMessage(entry, msg);
      });
    });
    // Each hand-off awaits `ready` and fails with this error; logged here too, for a process nothing was handed to.
    entry.ready.catch((error: unknown) =>
      this.logger.warn({ err: String(error), pid: child.pid }, 'NBD connection process failed to start'),
    );
    child.once('exit', (code, signal) => this.onExit(entry, code, signal));
    child.send({ type: 'init', limits: this.limits } satisfies ToChild);
    return entry;
  }

  private onMessage(child: Child, msg: FromChild): void {
    if (msg.type === 'connectionClosed') child.connections.delete(msg.id);
    else if (msg.type === 'exportRemoved') {
      const waiters = child.removals.get(msg.exportName) ?? [];
      child.removals.delete(msg.exportName);
      for (const done of waiters) done(msg.closedConnections);
    } else if (msg.type === 'log') this.logger[msg.level](msg.fields, msg.message);
  }

  private onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    child.alive = false;
    if (!this.closed)
      this.logger.warn(
        { pid: child.process.pid, code, signal, lostConnections: child.connections.size },
        'nbd connection process exited',
      );
    child.connections.clear();
    for (const waiters of child.removals.values()) for (const done of waiters) done(0);
    child.removals.clear();
    const at = this.children.indexOf(child);
    // A replacement starts at once, so the next connection finds one ready.
    if (at >= 0) this.children.splice(at, 1, ...(this.closed ? [] : [this.spawn()]));
  }

  /** Moves a negotiated connection to the child with the fewest connections. */
  async handOff(socket: Socket, connection: HandOff): Promise<void> {
    if (this.closed) throw new Error('the NBD server is closing');
    this.start();
    const child = this.children.reduce((best, c) => (c.connections.size < best.connections.size ? c : best));
    await child.ready;
    if (!child.alive) throw new Error('NBD connection process exited');
    const id = this.nextId++;
    child.connections.set(id, connection.exportName);
    const message: ToChild = { type: 'serve', id, ...connection };
    await new Promise<void>((resolve, reject) => {
      child.process.send(message, socket, (error) => {
        if (error) {
          child.connections.delete(id);
          reject(error);
        } else resolve();
      });
    });
  }

  connectionsOf(exportName: string): number {
    let n = 0;
    for (const child of this.children) for (const name of child.connections.values()) if (name === exportName) n++;
    return n;
  }

  get connectionCount(): number {
    return this.children.reduce((n, c) => n + c.connections.size, 0);
  }

  /** Closes the export's connections in every child (after their requests in flight) and its file handles. */
  async removeExport(exportName: string): Promise<number> {
    const counts = await Promise.all(
      this.children
        .filter((c) => c.alive)
        .map(
          (child) =>
            new Promise<number>((resolve) => {
              const waiters = child.removals.get(exportName) ?? [];
              waiters.push(resolve);
              child.removals.set(exportName, waiters);
              child.process.send({ type: 'removeExport', exportName } satisfies ToChild);
            }),
        ),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    const children = this.children.splice(0);
    await Promise.all(
      children.map(async (child) => {
        if (child.alive && child.process.connected) child.process.send({ type: 'close' } satisfies ToChild);
        const limit = this.limits.drainTimeoutMs + EXIT_GRACE_MS;
        const exited = new AbortController();
        this.clock.sleep(limit, exited.signal).then(
          () => child.process.kill('SIGKILL'),
          () => undefined,
        );
        await child.exited;
        exited.abort();
      }),
    );
  }
}
