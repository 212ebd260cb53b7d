import { MigrateKitError, isMigrateKitError, type ErrorCode } from '@migratekit/core';
import type { NbdClientOptions } from './nbd-client-types';
import { NBD_ERRNO, NbdError, type NbdErrnoName, type NbdErrorKind } from './nbd-error';
import type { WorkItem } from './copy-plan';

/**
 * An NBD endpoint that can cross a process boundary: a URI (the lane loads any TLS files it names) or
 * client options holding only data (no clock, no logger, no secured-transport factory).
 */
export type NbdConnectSpec = string | Omit<NbdClientOptions, 'clock' | 'logger' | 'securedTransport'>;

export interface LaneInit {
  source: NbdConnectSpec;
  destination: NbdConnectSpec;
  connections: number;
  inFlight: number;
  requestSize: number;
  destinationIsZero: boolean;
}

/** Coordinator to lane (IPC, advanced serialization: Buffers in TLS options arrive as byte arrays). */
export type ToLane =
  | { type: 'init'; init: LaneInit }
  | { type: 'stripe'; id: number; items: WorkItem[] }
  | { type: 'flush'; id: number }
  | { type: 'stop'; abort: boolean };

/** A lane's failure as data: the coordinator rebuilds an NbdError (kind, errno) or a MigrateKitError (code). */
export interface LaneFailure {
  message: string;
  code: string | null;
  nbdKind: string | null;
  errno: string | null;
}

export type FromLane =
  | { type: 'listening' }
  | { type: 'ready' }
  | { type: 'progress'; bytes: number; written: number; zeroed: number }
  | { type: 'stripe-done'; id: number }
  | { type: 'flushed'; id: number }
  | ({ type: 'failed' } & LaneFailure)
  | { type: 'closed' };

const NBD_ERROR_KINDS: readonly NbdErrorKind[] = ['request', 'protocol', 'connection', 'timeout', 'tls', 'negotiation'];

export function laneFailure(error: unknown): LaneFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NbdError) return { message, code: error.code, nbdKind: error.kind, errno: error.errno ?? null };
  return { message, code: isMigrateKitError(error) ? error.code : null, nbdKind: null, errno: null };
}

/** The lane's error as the in-process engine would have thrown it: same class, code, kind and errno. */
export function errorFromLane(failure: LaneFailure): Error {
  if (failure.nbdKind && (NBD_ERROR_KINDS as readonly string[]).includes(failure.nbdKind)) {
    const errno = failure.errno && failure.errno in NBD_ERRNO ? (failure.errno as NbdErrnoName) : undefined;
    return new NbdError(failure.nbdKind as NbdErrorKind, failure.message, errno ? { errno } : {});
  }
  if (failure.code) return new MigrateKitError(failure.code as ErrorCode, { message: failure.message });
  return new Error(failure.message);
}
