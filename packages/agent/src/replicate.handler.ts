// The agent's half of a replication (docs/model.md#replication, steps 2-5): CBT on, a snapshot, per disk the changed
// areas (`*` for a full copy; the disk's previous change id otherwise, falling back to a full copy when vCenter rejects
// it or the capacity changed), the copy into the server's NBD export with resume after a dropped connection, the change
// ids of the frozen snapshot, and the snapshot removed on every path.
import { MigrateKitError, systemClock, type Clock } from '@migratekit/core';
import { NbdClient, type CopyProgress, type NbdClientOptions, type Range } from '@migratekit/nbd';
import { copyWithResume } from './copy-with-resume';
import { flattenSnapshots, isChangeIdRejected, type MoRef, type VsphereClient } from '@migratekit/vsphere';
import type { HandlerContext } from './agent-link';
import type { AgentLogger } from './agent-link';
import type { DiskAccess } from './disk-access';
import type {
  DiskProgressWire,
  ReplicateDisk,
  ReplicateParams,
  ReplicatePhase,
  ReplicateProgress,
  ReplicateResult,
  ReplicatedDisk,
} from './protocol';
import type { VcenterConnector } from './vcenter-connect';
import { pinnedThumbprint } from './vcenter-connect';
import { findVm } from './vm-handlers';
import { agentPortNbdTransport } from './nbd-over-agent-port';
import type { ServerEndpoint } from './server-endpoints';

const SNAPSHOT_PREFIX = 'migratekit-';

export interface ReplicateDeps {
  connect: VcenterConnector;
  diskAccess: DiskAccess;
  logger: AgentLogger;
  clock?: Clock;
  thumbprints?: Readonly<Record<string, string>>;
  /** Copy restarts after a dropped connection before the disk fails (default 5). */
  maxResumes?: number;
  /** How often the last progress is repeated during long vCenter steps (default 10 s). */
  keepAliveMs?: number;
}

interface DiskPlan {
  disk: ReplicateDisk;
  fileName: string;
  syncType: 'full' | 'incremental';
  reason: string | null;
  areas: Range[];
  total: number;
  changeId: string | null;
}

function toRanges(areas: Array<{ start: number; length: number }>): Range[] {
  return areas.map((a) => ({ offset: a.start, length: a.length }));
}

/** The complement of sorted, merged ranges within [0, size). */
function gaps(ranges: Range[], size: number): Range[] {
  const out: Range[] = [];
  let at = 0;
  for (const r of ranges) {
    if (r.offset > at) out.push({ offset: at, length: r.offset - at });
    at = Math.max(at, r.offset + r.length);
  }
  if (at < size) out.push({ offset: at, length: size - at });
  return out;
}

class ProgressTracker {
  private readonly startedAt: number;
  private peak = 0;
  private current = 0;
  phase: ReplicatePhase = 'preparing';
  readonly disks: DiskProgressWire[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly emit: (p: ReplicateProgress) => void,
  ) {
    this.startedAt = clock.now().getTime();
  }

  get done(): number {
    return this.disks.reduce((s, d) => s + d.bytes_done, 0);
  }

  get total(): number {
    return this.disks.reduce((s, d) => s + d.bytes_total, 0);
  }

  get peakBps(): number {
    return this.peak;
  }

  avgBps(): number {
    const seconds = (this.clock.now().getTime() - this.startedAt) / 1000;
    return seconds > 0 ? Math.round(this.done / seconds) : 0;
  }

  copy(disk: DiskProgressWire, base: number, p: CopyProgress): void {
    disk.bytes_done = Math.min(disk.bytes_total, base + p.bytesDone);
    this.current = p.currentBps;
    this.peak = Math.max(this.peak, p.peakBps, p.currentBps);
    this.report();
  }

  report(message?: string): void {
    const avg = this.avgBps();
    const remaining = this.total - this.done;
    this.emit({
      phase: this.phase,
      bytes_done: this.done,
      bytes_total: this.total,
      current_bps: Math.round(this.current),
      avg_bps: avg,
      peak_bps: Math.round(this.peak),
      eta_seconds: avg > 0 ? Math.ceil(remaining / avg) : null,
      disks: this.disks.map((d) => ({ ...d })),
      ...(message === undefined ? {} : { message }),
    });
  }
}

export function replicateHandler(deps: ReplicateDeps) {
  const clock = deps.clock ?? systemClock;
  return async (params: ReplicateParams, ctx: HandlerContext): Promise<ReplicateResult> => {
    const tracker = new ProgressTracker(clock, (p) => ctx.progress(p));
    // Snapshot tasks and changed-area queries can take minutes on a busy vCenter: repeat the last report so
    // the server's inactivity timeout only fires for an agent that is really gone.
    const keepAlive = setInterval(() => tracker.report(), deps.keepAliveMs ?? 10_000);
    keepAlive.unref();
    const client = await deps.connect(params.vcenter).catch((error: unknown) => {
      clearInterval(keepAlive);
      throw error;
    });
    try {
      const vm = await findVm(client, params.vm_id);
      if (!vm.changeTrackingEnabled) {
        tracker.report('enabling changed block tracking');
        await client.setChangeTracking(vm.ref, true);
      }
      // A snapshot of ours left by a run that died (agent killed, connection lost) would pin old blocks forever.
      for (const stale of flattenSnapshots(vm.snapshot).filter((s) => s.name.startsWith(SNAPSHOT_PREFIX))) {
        deps.logger.warn({ vm: vm.name, snapshot: stale.snapshot.value }, 'removing a stale migratekit snapshot');
        await client.removeSnapshot(stale.snapshot);
      }
      tracker.phase = 'snapshot';
      tracker.report();
      const snapshot = await client.createSnapshot(vm.ref, {
        name: `${SNAPSHOT_PREFIX}${params.job_id}`,
        description: `MigrateKit replication ${params.job_id}`,
      });
      try {
        return await replicateFromSnapshot(deps, client, params, ctx, tracker, vm.ref, snapshot, clock);
      } finally {
        try {
          await client.removeSnapshot(snapshot);
        } catch (error) {
          deps.logger.error(
            { snapshot: snapshot.value, err: String(error) },
            'could not remove the replication snapshot',
          );
        }
      }
    } finally {
      clearInterval(keepAlive);
      await client.close();
    }
  };
}

async function planDisks(
  client: VsphereClient,
  params: ReplicateParams,
  vmRef: MoRef,
  snapshot: MoRef,
  logger: AgentLogger,
): Promise<DiskPlan[]> {
  const frozen = await client.getSnapshotDisks(snapshot);
  const plans: DiskPlan[] = [];
  for (const disk of params.disks) {
    const info = frozen.find((d) => d.key === disk.device_key);
    if (info === undefined)
      throw new MigrateKitError('MKE_VSPHERE_OBJECT_NOT_FOUND', {
        message: `Disk ${disk.disk_id} is not in the snapshot`,
        details: { disk_id: disk.disk_id },
      });
    const query = (changeId: string) =>
      client.queryChangedDiskAreas({
        vm: vmRef,
        snapshot,
        deviceKey: disk.device_key,
        changeId,
        capacityBytes: info.capacityBytes,
      });
    let reason: string | null = null;
    if (disk.previous_change_id !== null && disk.previous_capacity_bytes !== info.capacityBytes)
      reason = `capacity changed from ${disk.previous_capacity_bytes ?? '?'} to ${info.capacityBytes} bytes`;
    if (disk.previous_change_id !== null && reason === null) {
      try {
        const changed = await query(disk.previous_change_id);
        plans.push({
          disk,
          fileName: info.fileName,
          syncType: 'incremental',
          reason: null,
          areas: toRanges(changed.areas),
          total: changed.totalBytes,
          changeId: info.changeId ?? null,
        });
        continue;
      } catch (error) {
        if (!isChangeIdRejected(error)) throw error;
        reason = `change id rejected by vCenter: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    if (reason !== null) logger.warn({ disk_id: disk.disk_id, reason }, 'full copy of disk');
    const all = await query('*');
    plans.push({
      disk,
      fileName: info.fileName,
      syncType: 'full',
      reason,
      areas: toRanges(all.areas),
      total: all.totalBytes,
      changeId: info.changeId ?? null,
    });
  }
  return plans;
}

async function replicateFromSnapshot(
  deps: ReplicateDeps,
  client: VsphereClient,
  params: ReplicateParams,
  ctx: HandlerContext,
  tracker: ProgressTracker,
  vmRef: MoRef,
  snapshot: MoRef,
  clock: Clock,
): Promise<ReplicateResult> {
  const started = clock.now().getTime();
  tracker.phase = 'querying';
  tracker.report();
  const plans = await planDisks(client, params, vmRef, snapshot, deps.logger);
  for (const plan of plans)
    tracker.disks.push({
      disk_id: plan.disk.disk_id,
      bytes_done: 0,
      bytes_total: plan.total,
      sync_type: plan.syncType,
      done: false,
    });
  tracker.phase = 'copying';
  tracker.report();
  const results: ReplicatedDisk[] = [];
  for (const [index, plan] of plans.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    results.push(
      await copyDisk(deps, params, ctx, tracker, tracker.disks[index] as DiskProgressWire, plan, vmRef, snapshot),
    );
  }
  tracker.phase = 'finalizing';
  tracker.report();
  const duration = clock.now().getTime() - started;
  const total = results.reduce((s, r) => s + r.bytes_total, 0);
  return {
    snapshot_id: snapshot.value,
    sync_type: results.every((r) => r.sync_type === 'incremental') ? 'incremental' : 'full',
    disks: results,
    bytes_total: total,
    duration_ms: duration,
    avg_bps: duration > 0 ? Math.round((total * 1000) / duration) : 0,
    peak_bps: Math.round(tracker.peakBps),
  };
}

async function copyDisk(
  deps: ReplicateDeps,
  params: ReplicateParams,
  ctx: HandlerContext,
  tracker: ProgressTracker,
  progress: DiskProgressWire,
  plan: DiskPlan,
  vmRef: MoRef,
  snapshot: MoRef,
): Promise<ReplicatedDisk> {
  const destination = (): Promise<NbdClient> => NbdClient.connect(destinationOptions(ctx.server, params, plan));
  const source = await deps.diskAccess.open({
    vcenterHost: params.vcenter.host,
    username: params.vcenter.username,
    password: params.vcenter.password,
    thumbprint: pinnedThumbprint(params.vcenter, deps.thumbprints),
    vmMoref: vmRef.value,
    snapshotMoref: snapshot.value,
    deviceKey: plan.disk.device_key,
    fileName: plan.fileName,
  });
  let written = 0;
  let zeroed = 0;
  let resumes = 0;
  try {
    const copied = await copyWithResume({
      diskId: plan.disk.disk_id,
      source: () => source.connect(),
      destination,
      extents: plan.areas,
      destinationIsZero: plan.disk.destination_fresh,
      signal: ctx.signal,
      logger: deps.logger,
      connections: params.connections,
      inFlight: params.in_flight,
      ...(deps.maxResumes === undefined ? {} : { maxResumes: deps.maxResumes }),
      clock: deps.clock,
      onProgress: (base, p) => tracker.copy(progress, base, p),
    });
    written = copied.bytesWritten;
    zeroed = copied.bytesZeroed;
    resumes = copied.resumes;
    // A full copy onto a volume that held data before: what is unallocated in the source must read as zeroes.
    if (plan.syncType === 'full' && !plan.disk.destination_fresh) {
      zeroed += await zeroGaps(destination, gaps(plan.areas, plan.disk.capacity_bytes));
    }
  } finally {
    await source.close();
  }
  progress.bytes_done = progress.bytes_total;
  progress.done = true;
  tracker.report();
  return {
    disk_id: plan.disk.disk_id,
    sync_type: plan.syncType,
    full_copy_reason: plan.reason,
    change_id: plan.changeId,
    capacity_bytes: plan.disk.capacity_bytes,
    bytes_total: plan.total,
    bytes_written: written,
    bytes_zeroed: zeroed,
    resumes,
  };
}

/**
 * The NBD target of a disk: through the agent port (one TLS session) of the server that sent the request (it
 * holds the export), or a separate listener with TLS-PSK.
 */
function destinationOptions(server: ServerEndpoint, params: ReplicateParams, plan: DiskPlan): NbdClientOptions {
  const nbd = params.nbd;
  if (nbd.via === 'agent_port')
    return {
      exportName: plan.disk.export_name,
      securedTransport: agentPortNbdTransport({
        serverUrl: server.url,
        fingerprint: server.fingerprint,
        pskIdentity: nbd.psk_identity,
        pskKeyHex: nbd.psk_key_hex,
      }),
    };
  return {
    host: nbd.host ?? new URL(server.url).hostname.replace(/^\[(.*)\]$/, '$1'),
    port: nbd.port,
    exportName: plan.disk.export_name,
    tls: { mode: 'require', psk: { identity: nbd.psk_identity, key: Buffer.from(nbd.psk_key_hex, 'hex') } },
  };
}

async function zeroGaps(open: () => Promise<NbdClient>, ranges: Range[]): Promise<number> {
  if (ranges.length === 0) return 0;
  const client = await open();
  let zeroed = 0;
  try {
    const chunk = 1024 * 1024 * 1024;
    for (const r of ranges) {
      for (let at = r.offset; at < r.offset + r.length; at += chunk) {
        const length = Math.min(chunk, r.offset + r.length - at);
        await client.writeZeroes(at, length);
        zeroed += length;
      }
    }
    await client.flush();
  } finally {
    await client.close();
  }
  return zeroed;
}
