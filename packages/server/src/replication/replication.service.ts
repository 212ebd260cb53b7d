// Replication of one VM (docs/model.md#replication) as a JobLog job whose id is also the replication_jobs id: ensure
// volumes -> export over NBD (TLS-PSK, a key per job) -> the agent copies (CBT, snapshot, changed areas, resume) ->
// record one vm_disks row per disk with its own change id -> context status. The work runs detached from the HTTP
// request that started it, under its own AbortController.
import { randomBytes } from 'node:crypto';
import type {
  DiscoveredVmWire,
  NbdEndpointWire,
  ReplicateDisk,
  ReplicateProgress,
  ReplicateResult,
} from '@migratekit/agent/protocol';
import { MigrateKitError, canTransition, isMigrateKitError, type Clock, type ContextStatus } from '@migratekit/core';
import type { ContextRecord, ReplicationJobRecord, Repositories } from '@migratekit/db';
import type { Logger } from 'pino';
import type { AgentHub } from '../agents/agent-hub';
import type { EventBus } from '../events/event-bus';
import type { ServerEvent } from '../events/event-types';
import type { JobLog } from '../joblog';
import type { VmwareCredentialService } from '../services/vmware-credential.service';
import type { VolumeService } from '../volumes';
import { vcenterParams } from './vcenter-params';
import { assertNothingHoldsVm } from './vm-hold';

export interface ReplicationNbd {
  /** Where the agent reaches the NBD target, read when a job starts (a listener may be on an ephemeral port). */
  endpoint(): NbdEndpointWire;
  /** The NBD target's live PSK table: a job's key is added for its run and removed after. */
  psk: Map<string, Buffer>;
}

export interface ReplicationServiceDeps {
  repositories: Repositories;
  joblog: JobLog;
  events: EventBus<ServerEvent>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  hub: AgentHub;
  volumes: VolumeService;
  nbd: ReplicationNbd;
  credentials: VmwareCredentialService;
  /** The agent must report at least this often during a copy, else the job fails (default 60 s). */
  agentSilenceTimeoutMs?: number;
  copy?: { connections?: number; inFlight?: number };
}

const TERMINAL_OK: ContextStatus = 'ready_for_failover';

function deviceKey(diskId: string): number {
  const key = Number(/^disk-(\d+)$/.exec(diskId)?.[1]);
  if (!Number.isInteger(key)) throw new MigrateKitError('MKE_VALIDATION', { message: `bad disk id ${diskId}` });
  return key;
}

export class ReplicationService {
  private readonly running = new Map<
    string,
    { abort: AbortController; done: Promise<void>; last?: ReplicateProgress | undefined }
  >();

  constructor(private readonly deps: ReplicationServiceDeps) {}

  /** Starts a replication of the context; MKE_JOB_ACTIVE (409) while another job holds the VM. */
  async start(
    contextId: string,
    options: { owner?: string; scheduledBy?: string; scheduleExecutionId?: string; groupId?: string | null } = {},
  ): Promise<ReplicationJobRecord> {
    const { repositories, joblog } = this.deps;
    const context = await repositories.contexts.require(contextId);
    await assertNothingHoldsVm(repositories, context, { insideFailover: options.owner === 'failover' });
    if (!canTransition(context.current_status, 'replicating'))
      throw new MigrateKitError('MKE_ILLEGAL_TRANSITION', {
        message: `Cannot replicate a VM whose status is ${context.current_status}`,
        details: { current_status: context.current_status, context_id: contextId },
      });
    // No agent, no replication: answer 503 now rather than start a job that fails at once.
    this.deps.hub.pick();
    const lastOk = await repositories.replicationJobs.findLastCompletedForContext(contextId);
    const type = lastOk === undefined ? 'initial' : 'incremental';
    const job = await joblog.startJob({
      jobType: 'replication',
      operation: `${type} replication of ${context.vm_name}`,
      contextId,
      totalSteps: 4,
      ...(options.owner === undefined ? {} : { owner: options.owner }),
    });
    await repositories.contexts.claimJob(contextId, job.id).catch(async (error: unknown) => {
      await joblog.failJob(job.id, error);
      throw error;
    });
    const record = await repositories.replicationJobs.create({
      id: job.id,
      vm_context_id: contextId,
      replication_type: type,
      current_operation: 'queued',
      scheduled_by: options.scheduledBy ?? null,
      schedule_execution_id: options.scheduleExecutionId ?? null,
      vm_group_id: options.groupId ?? null,
    });
    await this.setStatus(context, 'replicating');
    const abort = new AbortController();
    const done = this.run(record, abort.signal).finally(() => this.running.delete(record.id));
    this.running.set(record.id, { abort, done });
    return record;
  }

  /** Cancels a running job (the agent is told to stop; the snapshot is removed). */
  async cancel(jobId: string): Promise<ReplicationJobRecord> {
    const job = await this.deps.repositories.replicationJobs.require(jobId);
    const entry = this.running.get(jobId);
    if (entry === undefined) {
      if (job.status === 'pending' || job.status === 'replicating') {
        // Not running in this process (left by a restart): end it here.
        await this.finish(job, 'cancelled', new MigrateKitError('MKE_CANCELLED'));
        return this.deps.repositories.replicationJobs.require(jobId);
      }
      throw new MigrateKitError('MKE_CONFLICT', {
        message: `Job ${jobId} is already ${job.status}`,
        details: { status: job.status },
      });
    }
    entry.abort.abort(new MigrateKitError('MKE_CANCELLED', { message: 'Cancelled by the operator' }));
    await entry.done;
    return this.deps.repositories.replicationJobs.require(jobId);
  }

  /**
   * Ends replication jobs a previous process left active (it stopped mid-copy): failed with
   * MKE_JOB_INTERRUPTED, the VM's job slot released and its status failed, so it can be replicated again.
   */
  async recoverInterrupted(): Promise<number> {
    const stale = (await this.deps.repositories.replicationJobs.listActive()).filter((j) => !this.running.has(j.id));
    for (const job of stale) {
      await this.finish(
        job,
        'failed',
        new MigrateKitError('MKE_JOB_INTERRUPTED', { message: 'The server stopped while this replication ran' }),
      );
    }
    if (stale.length > 0)
      this.deps.logger.warn({ jobs: stale.length }, 'ended replications left running by the previous process');
    return stale.length;
  }

  /** The agent's last report for a running job (phase, throughput, per disk), or undefined. */
  liveProgress(jobId: string): ReplicateProgress | undefined {
    return this.running.get(jobId)?.last;
  }

  /** Waits for a job started by this process (tests, CLI --wait in-process). */
  async wait(jobId: string): Promise<ReplicationJobRecord> {
    await this.running.get(jobId)?.done;
    return this.deps.repositories.replicationJobs.require(jobId);
  }

  async close(): Promise<void> {
    for (const entry of this.running.values()) entry.abort.abort(new MigrateKitError('MKE_CANCELLED'));
    await Promise.allSettled([...this.running.values()].map((e) => e.done));
  }

  private async run(job: ReplicationJobRecord, signal: AbortSignal): Promise<void> {
    const { repositories, joblog, volumes } = this.deps;
    const pskIdentity = `job-${randomBytes(6).toString('hex')}`;
    try {
      const context = await repositories.contexts.require(job.vm_context_id);
      const credential = await this.deps.credentials.resolveForUse(context.credential_id ?? undefined);
      const agentId = this.deps.hub.pick();
      await repositories.replicationJobs.update(job.id, { status: 'replicating', started_at: this.deps.clock.now() });
      const vm = await joblog.runStep(job.id, 'inspect source VM', async () => {
        const info = await this.deps.hub.request(
          agentId,
          'vm.info',
          { vcenter: vcenterParams(credential), vm_id: context.vmware_vm_id },
          { timeoutMs: 120_000, signal },
        );
        await repositories.contexts.update(context.context_id, {
          vm_name: info.name,
          vm_path: info.path,
          cpu_count: info.cpus,
          memory_mb: info.memory_mb,
          os_type: info.os_type,
          firmware: info.firmware,
          power_state: info.power_state,
          vm_tools_status: info.tools_status,
        });
        return info;
      });
      const previous = await repositories.vmDisks.listLatestByContext(context.context_id);
      const lastOk = await repositories.replicationJobs.findLastCompletedForContext(context.context_id);
      const disks = await joblog.runStep(job.id, 'ensure volumes', async (step) => {
        const out: ReplicateDisk[] = [];
        for (const disk of vm.disks) {
          const startedAt = this.deps.clock.now().getTime();
          const volume = await volumes.ensureVolume({
            contextId: context.context_id,
            diskId: disk.id,
            sizeBytes: disk.capacity_bytes,
            name: `${context.vm_name}-${disk.id}`,
          });
          const attached = await volumes.attachToServer(volume.volume_id);
          const prev = previous.find((d) => d.disk_id === disk.id && lastOk !== undefined && d.job_id === lastOk.id);
          out.push({
            disk_id: disk.id,
            device_key: deviceKey(disk.id),
            capacity_bytes: disk.capacity_bytes,
            previous_change_id: prev?.disk_change_id ?? null,
            previous_capacity_bytes: prev?.capacity_bytes ?? null,
            export_name: attached.exportName,
            destination_fresh: volume.created_at.getTime() >= startedAt - 1000 && prev === undefined,
          });
          await step.log('info', 'volume ready', {
            disk_id: disk.id,
            volume_id: volume.volume_id,
            export_name: attached.exportName,
          });
        }
        return out;
      });
      this.deps.nbd.psk.set(pskIdentity, randomBytes(32));
      const result = await joblog.runStep(job.id, 'copy changed blocks', async (step) => {
        const key = this.deps.nbd.psk.get(pskIdentity) as Buffer;
        const outcome = await this.deps.hub.request(
          agentId,
          'replicate',
          {
            job_id: job.id,
            vcenter: vcenterParams(credential),
            vm_id: context.vmware_vm_id,
            disks,
            nbd: {
              ...this.deps.nbd.endpoint(),
              psk_identity: pskIdentity,
              psk_key_hex: key.toString('hex'),
            },
            ...(this.deps.copy?.connections === undefined ? {} : { connections: this.deps.copy.connections }),
            ...(this.deps.copy?.inFlight === undefined ? {} : { in_flight: this.deps.copy.inFlight }),
          },
          {
            timeoutMs: this.deps.agentSilenceTimeoutMs ?? 60_000,
            signal,
            onProgress: (p) => void this.progress(job, context.context_id, p),
          },
        );
        for (const disk of outcome.disks)
          await step.log(disk.sync_type === 'full' && disk.full_copy_reason !== null ? 'warn' : 'info', 'disk copied', {
            disk_id: disk.disk_id,
            sync_type: disk.sync_type,
            full_copy_reason: disk.full_copy_reason,
            bytes_total: disk.bytes_total,
            bytes_written: disk.bytes_written,
            bytes_zeroed: disk.bytes_zeroed,
            resumes: disk.resumes,
          });
        return outcome;
      });
      await joblog.runStep(job.id, 'record change ids', () => this.record(job, context, vm, result));
      await this.finish(job, 'completed');
    } catch (error) {
      const cancelled = signal.aborted || (isMigrateKitError(error) && error.code === 'MKE_CANCELLED');
      await this.finish(job, cancelled ? 'cancelled' : 'failed', error);
    } finally {
      this.deps.nbd.psk.delete(pskIdentity);
    }
  }

  private async record(
    job: ReplicationJobRecord,
    context: ContextRecord,
    vm: DiscoveredVmWire,
    result: ReplicateResult,
  ): Promise<void> {
    const { repositories } = this.deps;
    const volumes = await repositories.cloudstackVolumes.listByContext(context.context_id);
    const nics = vm.networks.map((n) => ({ ...n }));
    for (const disk of vm.disks) {
      const copied = result.disks.find((d) => d.disk_id === disk.id);
      await repositories.vmDisks.create({
        vm_context_id: context.context_id,
        job_id: job.id,
        disk_id: disk.id,
        label: disk.label,
        vmdk_path: disk.vmdk_path,
        datastore: disk.datastore,
        capacity_bytes: disk.capacity_bytes,
        provisioning: disk.provisioning,
        controller: disk.controller,
        unit_number: disk.unit_number,
        cloudstack_volume_id: volumes.find((v) => v.disk_id === disk.id)?.volume_id ?? null,
        disk_change_id: copied?.change_id ?? null,
        sync_status: copied === undefined ? 'skipped' : 'synced',
        bytes_synced: copied?.bytes_total ?? 0,
        cpu_count: vm.cpus,
        memory_mb: vm.memory_mb,
        os_type: vm.os_type,
        firmware: vm.firmware,
        nics,
      });
    }
    const total = result.bytes_total;
    await repositories.replicationJobs.update(job.id, {
      snapshot_id: result.snapshot_id,
      sync_type: result.sync_type,
      // A job that had to copy a disk in full is not an incremental one, whatever was planned.
      replication_type:
        job.replication_type === 'incremental' && result.sync_type === 'full' ? 'initial' : job.replication_type,
      bytes_transferred: total,
      total_bytes: total,
      throughput_avg_bps: result.avg_bps,
      throughput_peak_bps: result.peak_bps,
      eta_seconds: 0,
      current_operation: 'completed',
    });
  }

  private async progress(job: ReplicationJobRecord, contextId: string, p: ReplicateProgress): Promise<void> {
    const entry = this.running.get(job.id);
    if (entry !== undefined) entry.last = p;
    const percent = p.bytes_total > 0 ? Math.min(99, Math.floor((p.bytes_done / p.bytes_total) * 100)) : 0;
    this.deps.events.publish({
      type: 'replication.progress',
      job_id: job.id,
      context_id: contextId,
      phase: p.phase,
      bytes_done: p.bytes_done,
      bytes_total: p.bytes_total,
      progress_percent: percent,
      current_bps: p.current_bps,
      avg_bps: p.avg_bps,
      peak_bps: p.peak_bps,
      eta_seconds: p.eta_seconds,
      disks: p.disks,
    });
    try {
      await this.deps.repositories.replicationJobs.recordProgress(job.id, {
        progress_percent: percent,
        bytes_transferred: p.bytes_done,
        total_bytes: p.bytes_total,
        current_operation: p.phase,
        throughput_current_bps: p.current_bps,
        throughput_avg_bps: p.avg_bps,
        throughput_peak_bps: p.peak_bps,
        eta_seconds: p.eta_seconds,
        sync_type: p.disks.every((d) => d.sync_type === 'incremental') ? 'incremental' : 'full',
      });
    } catch (error) {
      this.deps.logger.warn({ job_id: job.id, err: String(error) }, 'could not record replication progress');
    }
  }

  private async finish(
    job: ReplicationJobRecord,
    status: 'completed' | 'failed' | 'cancelled',
    error?: unknown,
  ): Promise<void> {
    const { repositories, joblog } = this.deps;
    const code = error === undefined ? undefined : isMigrateKitError(error) ? error.code : 'MKE_INTERNAL';
    const message = error instanceof Error ? error.message : error === undefined ? undefined : JSON.stringify(error);
    if (error !== undefined) this.deps.logger.warn({ job_id: job.id, code, err: message }, `replication ${status}`);
    await repositories.replicationJobs.finish(
      job.id,
      status,
      message === undefined ? undefined : { message, ...(code === undefined ? {} : { classification: code }) },
    );
    if (status === 'completed') await joblog.completeJob(job.id);
    else if (status === 'cancelled') await joblog.cancelJob(job.id, message);
    else await joblog.failJob(job.id, error);
    const context = await repositories.contexts.get(job.vm_context_id);
    if (context === undefined) return;
    await repositories.contexts.releaseJob(
      context.context_id,
      job.id,
      status === 'completed' ? 'succeeded' : status === 'failed' ? 'failed' : 'cancelled',
    );
    const target: ContextStatus =
      status === 'completed'
        ? TERMINAL_OK
        : status === 'cancelled'
          ? (await repositories.replicationJobs.findLastCompletedForContext(context.context_id)) === undefined
            ? 'discovered'
            : TERMINAL_OK
          : 'failed';
    await this.setStatus(context, target).catch((e: unknown) =>
      this.deps.logger.warn({ context_id: context.context_id, err: String(e) }, 'context status not changed'),
    );
  }

  private async setStatus(context: ContextRecord, to: ContextStatus): Promise<void> {
    if (context.current_status === to) return;
    const updated = await this.deps.repositories.contexts.transitionStatus(context.context_id, to);
    this.deps.events.publish({
      type: 'context.updated',
      context_id: context.context_id,
      current_status: updated.current_status,
      previous_status: context.current_status,
      at: this.deps.clock.now(),
    });
  }
}
