// Test harness for the workflow runner: the CloudStack simulator in-process on an ephemeral port, a JobLog over a
// test database, runners built with a ManualClock, and the check that a job left nothing orphaned in the
// simulator's inventory.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudStackClient } from '@migratekit/cloudstack';
import { ManualClock, type WorkflowStatus } from '@migratekit/core';
import {
  createRepositories,
  type DatabaseHandle,
  type Repositories,
  type TakeoverPolicy,
  type WorkflowJobRecord,
} from '@migratekit/db';
import { startCloudStackSimulator, type CloudStackSimulatorHandle } from '@migratekit/sim-cloudstack';
import type { ServerEvent } from '../../src/events/event-types';
import { JobLog } from '../../src/joblog';
import {
  createWorkflowRunner,
  type AnyWorkflow,
  type CrashHook,
  type WorkflowLogger,
  type WorkflowRunner,
} from '../../src/workflows';
import { snapshotNameOf, volumeWorkflows, type SimCloud, type VolumeWorkflowInput } from './sim-volume-workflow';

export const SIM_API_KEY = 'workflow-test-key';
export const SIM_SECRET_KEY = 'workflow-test-secret';
export const LEASE = { leaseMs: 30_000, heartbeatMs: 10_000 };

export interface SimCloudHandle extends SimCloud {
  sim: CloudStackSimulatorHandle;
  close(): Promise<void>;
}

export function cloudStackClientFor(hostPort: string): CloudStackClient {
  return new CloudStackClient({
    apiUrl: hostPort,
    apiKey: SIM_API_KEY,
    secretKey: SIM_SECRET_KEY,
    jobs: { initialIntervalMs: 2, stepMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
  });
}

export async function startSimCloud(): Promise<SimCloudHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'mk-workflow-'));
  const sim = await startCloudStackSimulator({
    apiKey: SIM_API_KEY,
    secretKey: SIM_SECRET_KEY,
    dataDir: join(dir, 'sim'),
    byIdDir: join(dir, 'by-id'),
    jobLatencyMs: 2,
  });
  return {
    sim,
    client: cloudStackClientFor(sim.hostPort),
    serverVmId: sim.serverVmId,
    close: async () => {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface CapturedLog {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

export function captureLogger(logs: CapturedLog[]): WorkflowLogger {
  const push =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void =>
      void logs.push({ level, fields, message });
  return { info: push('info'), warn: push('warn'), error: push('error') };
}

export interface RunnerOptions {
  /** Repositories over another connection (a second server on the same database). */
  repositories?: Repositories;
  /** Extra workflows next to the simulator ones. */
  workflows?: readonly AnyWorkflow[];
}

export interface Harness {
  cloud: SimCloudHandle;
  clock: ManualClock;
  repositories: Repositories;
  joblog: JobLog;
  events: ServerEvent[];
  logs: CapturedLog[];
  workflows: ReturnType<typeof volumeWorkflows>;
  runner(serverId: string, crashHook?: CrashHook, options?: RunnerOptions): WorkflowRunner;
  /** Halts every runner still open (a test that failed half-way must not leave work running). */
  closeRunners(): Promise<void>;
}

let counter = 0;
/** A volume name unique across test files and engines. */
export const uniqueVolumeName = (label: string): string => `wf-${process.pid}-${++counter}-${label}`;

/** `start`: the ManualClock's time; a real time when another process wrote leases with the system clock. */
export function createHarness(
  cloud: SimCloudHandle,
  database: DatabaseHandle,
  start: Date = new Date('2026-06-01T12:00:00.000Z'),
): Harness {
  const clock = new ManualClock(start);
  const repositories = createRepositories(database.db, clock);
  const events: ServerEvent[] = [];
  const logs: CapturedLog[] = [];
  const joblog = new JobLog({ repositories, clock, publish: (event) => events.push(event) });
  const workflows = volumeWorkflows(cloud);
  const runners: WorkflowRunner[] = [];
  return {
    cloud,
    clock,
    repositories,
    joblog,
    events,
    logs,
    workflows,
    runner: (serverId, crashHook, options = {}) => {
      const own = options.repositories ?? repositories;
      const runner = createWorkflowRunner({
        repositories: own,
        joblog:
          own === repositories ? joblog : new JobLog({ repositories: own, clock, publish: (e) => events.push(e) }),
        clock,
        logger: captureLogger(logs),
        serverId,
        workflows: [...Object.values(workflows), ...(options.workflows ?? [])],
        lease: LEASE,
        ...(crashHook !== undefined ? { crashHook } : {}),
      });
      runners.push(runner);
      return runner;
    },
    closeRunners: async () => {
      for (const runner of runners.splice(0)) await runner.halt();
    },
  };
}

/** Waits until the runner's crash hook fired and the work it left in flight settled, as after a SIGKILL. */
export async function untilCrashed(runner: WorkflowRunner): Promise<void> {
  await runner.whenIdle();
  assert.ok(runner.isHalted, 'the crash point was reached');
  await runner.halt();
}

/** Starts the policy's workflow for a fresh volume name. */
export async function startVolumeJob(
  harness: Harness,
  runner: WorkflowRunner,
  policy: TakeoverPolicy,
  label: string,
): Promise<{ jobId: string; input: VolumeWorkflowInput }> {
  const input = { volumeName: uniqueVolumeName(label) };
  const { jobId } = await runner.start(harness.workflows[policy], input);
  return { jobId, input };
}

export async function jobOf(harness: Harness, jobId: string): Promise<WorkflowJobRecord> {
  const job = await harness.repositories.workflowJobs.getJob(jobId);
  assert.ok(job, `job ${jobId} exists`);
  return job;
}

export interface SimResources {
  volumes: { id: string; vmId: string | undefined }[];
  snapshots: { id: string }[];
}

/** What the simulator really holds for a job's volume name. */
export function resourcesOf(cloud: SimCloudHandle, volumeName: string): SimResources {
  const inventory = cloud.sim.inventory();
  return {
    volumes: inventory.volumes.filter((v) => v.name === volumeName).map((v) => ({ id: v.id, vmId: v.vmId })),
    snapshots: inventory.snapshots.filter((s) => s.name === snapshotNameOf(volumeName)).map((s) => ({ id: s.id })),
  };
}

const SETTLED: readonly WorkflowStatus[] = ['completed', 'compensated', 'failed', 'paused'];

/**
 * The invariant after any run, crash or takeover: the job is terminal or paused (with a reason), and every
 * resource the simulator holds for it is recorded as the output of a completed step, so a compensation can find
 * it. A completed job holds exactly its volume (attached) and snapshot; a compensated or failed one holds nothing.
 */
export async function assertNothingOrphaned(
  harness: Harness,
  jobId: string,
  volumeName: string,
): Promise<WorkflowJobRecord> {
  const job = await jobOf(harness, jobId);
  assert.ok(SETTLED.includes(job.status), `job ${jobId} settled, is ${job.status} (${job.error_message ?? ''})`);
  if (job.status === 'paused') assert.ok((job.pause_reason ?? '').length > 0, 'a paused job says why');
  const found = resourcesOf(harness.cloud, volumeName);
  const steps = await harness.repositories.workflowSteps.listSteps(jobId);
  const outputOf = (key: string): Record<string, unknown> | undefined => {
    const row = steps.find((s) => s.step_kind === 'run' && s.step_key === key && s.status === 'completed');
    return row?.output as Record<string, unknown> | undefined;
  };
  for (const volume of found.volumes) {
    assert.equal(outputOf('create volume')?.volumeId, volume.id, `volume ${volume.id} is recorded`);
    if (volume.vmId !== undefined) assert.ok(outputOf('attach volume'), `the attachment of ${volume.id} is recorded`);
  }
  for (const snapshot of found.snapshots) {
    assert.equal(outputOf('snapshot volume')?.snapshotId, snapshot.id, `snapshot ${snapshot.id} is recorded`);
  }
  if (job.status === 'completed') {
    assert.equal(found.volumes.length, 1, 'a completed job holds its volume');
    assert.equal(found.volumes[0]?.vmId, harness.cloud.serverVmId, 'attached to the server VM');
    assert.equal(found.snapshots.length, 1, 'a completed job holds its snapshot');
  }
  if (job.status === 'compensated' || job.status === 'failed') {
    assert.deepEqual(found, { volumes: [], snapshots: [] }, `${job.status} job ${jobId} left nothing behind`);
  }
  return job;
}

/** Removes what a completed job made, so the server VM's attachment slots do not run out across scenarios. */
export async function removeResources(cloud: SimCloudHandle, volumeName: string): Promise<void> {
  const found = resourcesOf(cloud, volumeName);
  for (const snapshot of found.snapshots) await cloud.client.deleteSnapshot(snapshot.id);
  for (const volume of found.volumes) {
    if (volume.vmId !== undefined) await cloud.client.detachVolume({ id: volume.id });
    await cloud.client.deleteVolume(volume.id);
  }
}
