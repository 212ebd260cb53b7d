import { availableParallelism } from 'node:os';

// The copy engine's defaults, each chosen from a measurement in docs/benchmarks.md (nbd).

/**
 * Lane processes for a machine with `cores` cores. On the 2-core benchmark machine (shared, load 12-20) lanes
 * were slower than one process over TCP and TLS: each lane costs 1.5-2 s to start (0.4 s on a quiet machine)
 * and more CPU per GiB, and the two cores are already busy with both peers; see docs/benchmarks.md (nbd, issue 17). So below 4 cores
 * the copy stays in this process; with more, one lane per two cores (at most 4) spreads TLS crypto while
 * leaving cores to the peers (not yet measured on such a machine).
 */
export function defaultCopyWorkers(cores: number = availableParallelism()): number {
  return cores < 4 ? 0 : Math.min(4, Math.floor(cores / 2));
}

export const DEFAULT_COPY_WORKERS = defaultCopyWorkers();

/**
 * Connections per side: one per event loop that moves data (this process, or each lane process). More only add
 * contention: on 2 cores, 1 connection copied 2 GiB 1.07-1.10 x nbdcopy's speed over TCP and 1.14-1.23 x over
 * TLS, 4 connections 0.79-0.85 and 0.97-0.98 (docs/benchmarks.md, nbd, 2026-12-04 connection sweep).
 */
export function defaultCopyConnections(workers: number = DEFAULT_COPY_WORKERS): number {
  return Math.max(1, workers);
}
/** 512 KiB x 32 per connection: 2 MiB requests took twice the wall time here (docs/benchmarks.md, nbd). */
export const DEFAULT_REQUEST_SIZE = 512 * 1024;
export const DEFAULT_IN_FLIGHT = 32;
