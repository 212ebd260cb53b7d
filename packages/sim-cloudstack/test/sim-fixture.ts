import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@migratekit/core';
import { CloudStackClient } from '@migratekit/cloudstack';
import { startCloudStackSimulator, type CloudStackSimulatorHandle } from '../src/http-server';
import type { SimSeed } from '../src/default-seed';

export const API_KEY = 'sim-api-key-Ab_-';
export const SECRET_KEY = 'sim-secret/Key+With=Symbols';

export interface SimFixture {
  sim: CloudStackSimulatorHandle;
  client: CloudStackClient;
  dir: string;
  dataDir: string;
  byIdDir: string;
  close(): Promise<void>;
}

/** A simulator on an ephemeral port in a temp dir, and a client that polls jobs every few ms. */
export async function startFixture(
  options: { seed?: SimSeed; clock?: Clock; jobLatencyMs?: number; dir?: string } = {},
): Promise<SimFixture> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'mk-cs-sim-')));
  const dataDir = join(dir, 'data');
  const byIdDir = join(dir, 'by-id');
  const sim = await startCloudStackSimulator({
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
    dataDir,
    byIdDir,
    jobLatencyMs: options.jobLatencyMs ?? 5,
    ...(options.seed ? { seed: options.seed } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const client = new CloudStackClient({
    apiUrl: sim.hostPort,
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
    jobs: { initialIntervalMs: 2, stepMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
  });
  return {
    sim,
    client,
    dir,
    dataDir,
    byIdDir,
    close: async () => {
      await sim.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
