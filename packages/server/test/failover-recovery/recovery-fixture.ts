// Recovery on real peers in-process: the volume fixture (CloudStack simulator with sparse-file volumes and by-id
// links, the NBD target, a migrated database, the volume service), a workflow runner on a ManualClock with the
// three recovery workflows, and the recovery service. `failoverHalfState` builds what a failover leaves behind
// step by step (the artifact contract: named snapshots, target VM by name then id, volumes moved through the
// volume service), so every half state can be made directly.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ManualClock, type ContextStatus } from '@migratekit/core';
import { createRepositories, type FailoverType, type Repositories } from '@migratekit/db';
import { AuditService } from '../../src/services/audit.service';
import {
  FAILOVER_SNAPSHOT_PREFIX,
  RecoveryService,
  recoveryWorkflows,
  type RecoveryDeps,
  type SourcePower,
} from '../../src/failover/recovery';
import { EventBus } from '../../src/events/event-bus';
import type { ServerEvent } from '../../src/events/event-types';
import { JobLog } from '../../src/joblog';
import { createWorkflowRunner, type AnyWorkflow, type CrashHook, type WorkflowRunner } from '../../src/workflows';
import { startVolumeFixture, type VolumeFixture } from '../volumes/volume-fixture';

const testLogger = {
  info: () => undefined,
  warn: (fields: Record<string, unknown>, message: string) => {
    if (process.env.MIGRATEKIT_TEST_LOG === '1') console.warn(message, fields);
  },
  error: (fields: Record<string, unknown>, message: string) => console.error(message, fields),
};

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const OPERATOR = { principal: { userId: 'u-1', username: 'alice', role: 'admin' } } as never;

export interface RecoveryHarness {
  fx: VolumeFixture;
  clock: ManualClock;
  repositories: Repositories;
  powered: string[];
  runner: WorkflowRunner;
  service: RecoveryService;
  /** The job events (the recovery service listens for failovers left cleanup_required). */
  events: EventBus<ServerEvent>;
  /** A new runner and service (a restarted server), optionally crashing where `crashHook` says. */
  restart(crashHook?: CrashHook): Promise<void>;
  close(): Promise<void>;
}

/** Records the power-on requests: the vCenter side is covered by the agent's own tests and the dev-stack test. */
function recordingSourcePower(powered: string[]): SourcePower {
  return {
    powerOn: (contextId) => {
      powered.push(contextId);
      return Promise.resolve({ powerState: 'poweredOn' });
    },
  };
}

export async function startRecoveryHarness(extraWorkflows: readonly AnyWorkflow[] = []): Promise<RecoveryHarness> {
  const fx = await startVolumeFixture({ jobLatencyMs: 1 });
  const clock = new ManualClock(new Date('2026-06-01T12:00:00.000Z'));
  const repositories = createRepositories(fx.database.db, clock);
  const powered: string[] = [];
  const events = new EventBus<ServerEvent>((error) => console.error('event listener failed', error));
  const build = (crashHook?: CrashHook) => {
    const deps: RecoveryDeps = {
      repositories,
      volumes: fx.daemon,
      cloud: () => Promise.resolve({ client: fx.client, serverVmId: fx.sim.serverVmId }),
      sourcePower: recordingSourcePower(powered),
      clock,
      logger: testLogger,
      pause: (ms, signal) => delay(ms, undefined, { signal }),
      settleTimeoutMs: 10_000,
    };
    const workflows = recoveryWorkflows(deps);
    const joblog = new JobLog({ repositories, clock, publish: (event) => events.publish(event) });
    const runner = createWorkflowRunner({
      repositories,
      joblog,
      clock,
      logger: testLogger,
      serverId: `server-${randomBytes(3).toString('hex')}`,
      workflows: [...Object.values(workflows), ...extraWorkflows],
      lease: { leaseMs: 30_000, heartbeatMs: 10_000 },
      ...(crashHook === undefined ? {} : { crashHook }),
    });
    const service = new RecoveryService({
      repositories,
      runner,
      workflows,
      recovery: deps,
      audit: new AuditService({ audit: repositories.audit }),
      clock,
      events,
    });
    return { runner, service };
  };
  const harness: RecoveryHarness = {
    fx,
    clock,
    repositories,
    powered,
    events,
    ...build(),
    restart: async (crashHook) => {
      await harness.runner.halt();
      await harness.clock.advance(30_001);
      Object.assign(harness, build(crashHook));
    },
    close: async () => {
      await harness.runner.halt();
      await fx.close();
    },
  };
  return harness;
}

/** Walks a context through the catalogue to `to` (tests start from a replicated VM). */
export async function setContextStatus(repositories: Repositories, contextId: string, to: ContextStatus) {
  const path: ContextStatus[] = ['replicating', 'ready_for_failover'];
  if (to === 'failed_over_test' || to === 'failed_over_live') path.push(to);
  for (const status of path) await repositories.contexts.transitionStatus(contextId, status);
}

export interface ReplicatedVm {
  contextId: string;
  vmName: string;
  volumeIds: string[];
}

/** A context with `disks` volumes on the server VM, exported, holding "last sync" data in their first MiB. */
export async function replicatedVm(h: RecoveryHarness, label: string, disks = 2): Promise<ReplicatedVm> {
  const vmName = `${label}-${randomBytes(3).toString('hex')}`;
  const contextId = await h.fx.newContext(vmName);
  const volumeIds: string[] = [];
  for (let i = 0; i < disks; i++) {
    const row = await h.fx.daemon.ensureVolume({
      contextId,
      diskId: `disk-${2000 + i}`,
      sizeBytes: GiB,
      name: `${vmName}-disk${i}`,
    });
    await h.fx.daemon.attachToServer(row.volume_id);
    await writeVolume(h, row.volume_id, 0, randomBytes(256 * 1024));
    volumeIds.push(row.volume_id);
  }
  await setContextStatus(h.repositories, contextId, 'ready_for_failover');
  return { contextId, vmName, volumeIds };
}

function volumeFile(h: RecoveryHarness, volumeId: string): string {
  const file = h.fx.sim.inventory().volumes.find((v) => v.id === volumeId)?.file;
  assert.ok(file, `volume ${volumeId} has a backing file`);
  return file;
}

/** Writes through the simulator's volume backing, as a guest (or a replication) would. */
export async function writeVolume(h: RecoveryHarness, volumeId: string, offset: number, data: Buffer) {
  const handle = await open(volumeFile(h, volumeId), 'r+');
  try {
    await handle.write(data, 0, data.length, offset);
  } finally {
    await handle.close();
  }
}

/** sha256 of the whole volume (1 GiB sparse: a few seconds), or of its first `bytes` (where the tests write). */
export async function volumeHash(h: RecoveryHarness, volumeId: string, bytes?: number): Promise<string> {
  const hash = createHash('sha256');
  const range = bytes === undefined ? {} : { start: 0, end: bytes - 1 };
  await pipeline(createReadStream(volumeFile(h, volumeId), { highWaterMark: 4 * MiB, ...range }), hash);
  return hash.digest('hex');
}

/** What the tests write lies in the first MiB; the scenario test compares this much. */
export const WRITTEN_REGION = 2 * MiB;

/** The steps a failover takes, in the contract's order; `failoverHalfState` stops after any of them. */
export const FAILOVER_STEPS = ['job row', 'snapshots', 'deploy target', 'move volumes', 'start target', 'statuses'];

export interface HalfFailover {
  failoverJobId: string;
  targetVmName: string;
}

/** Does the first `steps` steps of a failover of `vm` exactly as the contract says a failover does them. */
export async function failoverHalfState(
  h: RecoveryHarness,
  vm: ReplicatedVm,
  type: FailoverType,
  steps: number,
  guestWrites = true,
): Promise<HalfFailover> {
  const { repositories, fx } = h;
  const targetVmName = type === 'test' ? `${vm.vmName}-test-20260601120000` : vm.vmName;
  const job = await repositories.failoverJobs.create({
    vm_context_id: vm.contextId,
    job_type: type,
    status: 'running',
    source_vm_name: vm.vmName,
    options: { targetVmName },
  });
  const result = { failoverJobId: job.job_id, targetVmName };
  if (steps < 2) return result;
  const snapshots: Record<string, string> = {};
  for (const volumeId of vm.volumeIds) {
    const snapshot = await fx.client.createSnapshot({
      volumeid: volumeId,
      name: FAILOVER_SNAPSHOT_PREFIX + job.job_id,
    });
    snapshots[volumeId] = snapshot.id;
    await repositories.failoverJobs.update(job.job_id, { volume_snapshots: snapshots });
  }
  if (steps < 3) return result;
  const targetVmId = await deployTarget(h, targetVmName);
  await repositories.failoverJobs.update(job.job_id, { destination_vm_id: targetVmId });
  if (steps < 4) return result;
  for (const volumeId of vm.volumeIds) await fx.daemon.attachToVm(volumeId, targetVmId);
  if (steps < 5) return result;
  await fx.client.startVirtualMachine(targetVmId);
  if (guestWrites) for (const volumeId of vm.volumeIds) await writeVolume(h, volumeId, 4096, randomBytes(64 * 1024));
  if (steps < 6) return result;
  await repositories.failoverJobs.update(job.job_id, { status: 'completed', completed_at: h.clock.now() });
  await repositories.contexts.transitionStatus(vm.contextId, type === 'test' ? 'failed_over_test' : 'failed_over_live');
  return result;
}

async function deployTarget(h: RecoveryHarness, name: string): Promise<string> {
  const { client } = h.fx;
  const [zone] = await client.listZones();
  const [offering] = await client.listServiceOfferings();
  const [template] = await client.listTemplates({ templatefilter: 'executable' });
  const network = (await client.listNetworks()).find((n) => n.type === 'L2');
  assert.ok(zone && offering && template && network);
  const vm = await client.deployVirtualMachine({
    zoneid: zone.id,
    serviceofferingid: offering.id,
    templateid: template.id,
    name,
    networkids: [network.id],
    startvm: false,
  });
  return vm.id;
}

/** The clean state: every volume on the server with its export, no failover snapshot, no VM but the server. */
export async function assertClean(h: RecoveryHarness, vm: ReplicatedVm, baselineVmIds: ReadonlySet<string>) {
  const inventory = h.fx.sim.inventory();
  for (const volumeId of vm.volumeIds) {
    const volume = inventory.volumes.find((v) => v.id === volumeId);
    assert.equal(volume?.vmId, inventory.serverVmId, `volume ${volumeId} is back on the server`);
    assert.ok(h.fx.target.hasVolumeExport(volumeId), `volume ${volumeId} is exported`);
    const row = await h.repositories.cloudstackVolumes.getByVolumeId(volumeId);
    assert.equal(row?.mode, 'oma', `volume ${volumeId} is recorded in mode oma`);
  }
  const snapshots = inventory.snapshots.filter((s) => s.name.startsWith(FAILOVER_SNAPSHOT_PREFIX));
  assert.deepEqual(snapshots, [], 'no failover snapshot is left');
  const extraVms = inventory.vms.filter((v) => !baselineVmIds.has(v.id));
  assert.deepEqual(extraVms, [], 'no target VM is left');
  const orphanVolumes = inventory.volumes.filter((v) => v.vmId === undefined);
  assert.deepEqual(orphanVolumes, [], 'no detached volume is left');
  const context = await h.repositories.contexts.require(vm.contextId);
  assert.equal(context.current_status, 'ready_for_failover');
  for (const job of await h.repositories.failoverJobs.listByContext(vm.contextId))
    assert.ok(
      ['cleaned_up', 'rolled_back', 'cancelled'].includes(job.status),
      `failover ${job.job_id} is ${job.status}`,
    );
}

/** Waits for a workflow job to end and returns its status. */
export async function settle(h: RecoveryHarness, jobId: string): Promise<string> {
  await h.runner.whenIdle();
  const job = await h.repositories.workflowJobs.getJob(jobId);
  assert.ok(job);
  return job.status;
}
