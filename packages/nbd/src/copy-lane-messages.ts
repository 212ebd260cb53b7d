import type { NbdClientOptions } from './nbd-client-types';
import type { WorkItem } from './copy-plan';

/**
 * An NBD endpoint that can cross a thread boundary: a URI (the worker loads any TLS files it names) or
 * client options holding only data (no clock, no logger).
 */
export type NbdConnectSpec = string | Omit<NbdClientOptions, 'clock' | 'logger'>;

export interface LaneInit {
  source: NbdConnectSpec;
  destination: NbdConnectSpec;
  connections: number;
  inFlight: number;
  requestSize: number;
  destinationIsZero: boolean;
}

export type ToLane =
  { type: 'stripe'; id: number; items: WorkItem[] } | { type: 'flush'; id: number } | { type: 'stop'; abort: boolean };

export type FromLane =
  | { type: 'ready' }
  | { type: 'progress'; bytes: number; written: number; zeroed: number }
  | { type: 'stripe-done'; id: number }
  | { type: 'flushed'; id: number }
  | { type: 'failed'; message: string; code: string | null }
  | { type: 'closed' };
