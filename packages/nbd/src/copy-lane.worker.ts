// One copy lane in a worker thread: its own source and destination connections, fed stripes of work items
// by the coordinator (copy-workers.ts). Socket I/O and TLS crypto then run on this thread, not the main one.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { isMigrateKitError } from '@migratekit/core';
import type { NbdBackend } from './nbd-backend';
import { NbdClient } from './nbd-client';
import type { NbdClientOptions } from './nbd-client-types';
import { copyItem } from './copy-item';
import type { WorkItem } from './copy-plan';
import type { FromLane, LaneInit, NbdConnectSpec, ToLane } from './copy-lane-messages';

if (!parentPort) throw new Error('copy-lane.worker must run in a worker thread');
const port: MessagePort = parentPort;
const init = workerData as LaneInit;
const post = (message: FromLane): void => port.postMessage(message);

/** Buffers arrive as Uint8Array after structured cloning; node:tls wants Buffers for PSK keys. */
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

async function runner(source: NbdBackend, destination: NbdBackend): Promise<void> {
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

async function main(): Promise<void> {
  const sources: NbdClient[] = [];
  const destinations: NbdClient[] = [];
  const [src, dst] = [revive(init.source), revive(init.destination)];
  for (let i = 0; i < init.connections; i++) {
    const source = await NbdClient.connect(src);
    opened.push(source);
    sources.push(source);
    const destination = await NbdClient.connect(dst);
    opened.push(destination);
    destinations.push(destination);
  }
  port.on('message', (message: ToLane) => {
    if (message.type === 'stripe') {
      remaining.set(message.id, message.items.length);
      for (const item of message.items) queue.push({ item, stripe: message.id });
      wake();
    } else if (message.type === 'flush') {
      // Every connection is flushed: without CAN_MULTI_CONN one FLUSH covers only its own connection.
      Promise.all(destinations.map((d) => d.flush())).then(
        () => post({ type: 'flushed', id: message.id }),
        (error: unknown) => fail(error),
      );
    } else {
      stopping = true;
      // A cancelled or failed copy does not wait for requests in flight; they fail as the sockets close.
      if (message.abort) for (const client of opened) client.destroy();
      wake();
    }
  });
  post({ type: 'ready' });
  const runners: Array<Promise<void>> = [];
  for (let lane = 0; lane < init.connections; lane++)
    for (let i = 0; i < init.inFlight; i++)
      runners.push(runner(sources[lane] as NbdClient, destinations[lane] as NbdClient).catch(fail));
  await Promise.all(runners);
}

function fail(error: unknown): void {
  if (failed || stopping) return;
  failed = true;
  wake();
  const message = error instanceof Error ? error.message : String(error);
  post({ type: 'failed', message, code: isMigrateKitError(error) ? error.code : null });
}

async function closeAll(): Promise<void> {
  await Promise.allSettled(opened.map((h) => h.close()));
  post({ type: 'closed' });
  port.close();
}

main()
  .catch(fail)
  .finally(() => void closeAll());
