// One copy lane in a child process: its own source and destination connections, fed stripes of work items by
// the coordinator (copy-lanes.ts) over IPC. Socket I/O and TLS crypto then run in this process, on its own core.
import type { NbdBackend } from './nbd-backend';
import { NbdClient } from './nbd-client';
import type { NbdClientOptions } from './nbd-client-types';
import { copyItem } from './copy-item';
import type { WorkItem } from './copy-plan';
import { laneFailure, type FromLane, type LaneInit, type NbdConnectSpec, type ToLane } from './copy-lane-messages';

if (!process.send) throw new Error('copy-lane.child must be started with an IPC channel (child_process.fork)');
const send = process.send.bind(process);
const post = (message: FromLane): void => {
  if (process.connected) send(message);
};

/** node:tls wants Buffers for PSK keys; byte arrays that crossed IPC may arrive as plain Uint8Arrays. */
function revive(spec: NbdConnectSpec): string | NbdClientOptions {
  if (typeof spec === 'string' || !spec.tls) return spec;
  const asBuffer = <T>(v: T): T | Buffer => (v instanceof Uint8Array ? Buffer.from(v) : v);
  const tls = { ...spec.tls, ca: asBuffer(spec.tls.ca), cert: asBuffer(spec.tls.cert), key: asBuffer(spec.tls.key) };
  if (spec.tls.psk) tls.psk = { identity: spec.tls.psk.identity, key: Buffer.from(spec.tls.psk.key) };
  return { ...spec, tls };
}

interface Pending {
  item: WorkItem;
  stripe: number;
}

const queue: Pending[] = [];
const remaining = new Map<number, number>();
let waiters: Array<() => void> = [];
let stopping = false;
let failed = false;
const opened: NbdClient[] = [];
const destinations: NbdClient[] = [];

function wake(): void {
  const w = waiters;
  waiters = [];
  for (const fn of w) fn();
}

async function take(): Promise<Pending | null> {
  for (;;) {
    if (stopping || failed) return null;
    const next = queue.shift();
    if (next) return next;
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
}

async function runner(init: LaneInit, source: NbdBackend, destination: NbdBackend): Promise<void> {
  const scratch = Buffer.allocUnsafe(init.requestSize);
  for (;;) {
    const next = await take();
    if (!next) return;
    const outcome = await copyItem(next.item, source, destination, init.requestSize, init.destinationIsZero, scratch);
    post({ type: 'progress', bytes: next.item.length, written: outcome.written, zeroed: outcome.zeroed });
    const left = (remaining.get(next.stripe) ?? 1) - 1;
    if (left > 0) remaining.set(next.stripe, left);
    else {
      remaining.delete(next.stripe);
      post({ type: 'stripe-done', id: next.stripe });
    }
  }
}

function fail(error: unknown): void {
  if (failed || stopping) return;
  failed = true;
  wake();
  post({ type: 'failed', ...laneFailure(error) });
}

async function run(init: LaneInit): Promise<void> {
  const sources: NbdClient[] = [];
  const [src, dst] = [revive(init.source), revive(init.destination)];
  for (let i = 0; i < init.connections && !stopping; i++) {
    const source = await NbdClient.connect(src);
    opened.push(source);
    sources.push(source);
    const destination = await NbdClient.connect(dst);
    opened.push(destination);
    destinations.push(destination);
  }
  post({ type: 'ready' });
  const runners: Array<Promise<void>> = [];
  for (let lane = 0; lane < sources.length; lane++)
    for (let i = 0; i < init.inFlight; i++)
      runners.push(runner(init, sources[lane] as NbdClient, destinations[lane] as NbdClient).catch(fail));
  await Promise.all(runners);
}

async function closeAndExit(): Promise<void> {
  await Promise.allSettled(opened.map((h) => h.close()));
  post({ type: 'closed' });
  process.disconnect();
}

function receive(message: ToLane): void {
  switch (message.type) {
    case 'init':
      run(message.init)
        .catch(fail)
        .finally(() => void closeAndExit());
      return;
    case 'stripe':
      remaining.set(message.id, message.items.length);
      for (const item of message.items) queue.push({ item, stripe: message.id });
      wake();
      return;
    case 'flush':
      // Every connection is flushed: without CAN_MULTI_CONN one FLUSH covers only its own connection.
      Promise.all(destinations.map((d) => d.flush())).then(
        () => post({ type: 'flushed', id: message.id }),
        (error: unknown) => fail(error),
      );
      return;
    case 'stop':
      stopping = true;
      // A cancelled or failed copy does not wait for requests in flight; they fail as the sockets close.
      if (message.abort) for (const client of opened) client.destroy();
      wake();
      return;
  }
}

process.on('message', (message: ToLane) => receive(message));
post({ type: 'listening' });
// The lane dies with its coordinator: a closed IPC channel means the parent exited (or gave up on us).
process.on('disconnect', () => process.exit(stopping ? 0 : 1));
// Ctrl-C reaches the whole process group; the coordinator decides how the copy stops.
process.on('SIGINT', () => undefined);
