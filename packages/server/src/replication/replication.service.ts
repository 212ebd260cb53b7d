// Replication of one VM (docs/model.md#replication) as a JobLog job whose id is also the replication_jobs id: ensure
// volumes -> export over NBD (TLS-PSK, a key per job) -> the agent copies (CBT, snapshot, changed areas, resume) ->
// record one vm_disks row per disk with its own change id -> context status. The work runs detached from the HTTP
// request that started it, under its own AbortController.
import { randomBytes } from 'node:crypto';
import type { NbdEndpointWire, ReplicateDisk, ReplicateProgress } from '@migratekit/agent/protocol';
import {
  ACTIVE_REPLICATION_STATUSES,
  MigrateKitError,
  canTransition,
  isMigrateKitError,
  type Clock,
  type ContextStatus,
} from '@migratekit/core';
import type { ContextRecord, ReplicationJobRecord, Repositories } from '@migratekit/db';
import type { Logger } from 'pino';
import type { AgentHub } from '../agents/agent-hub';
import type { EventBus } from '../events/event-bus';
import type { ServerEvent } from '../events/event-types';
import type { JobLog } from '../joblog';
import type { VmwareCredentialService } from '../services/vmware-credential.service';
import type { VolumeService } from '../volumes';
import { assertFreeSlots } from './data-mover-slots';
import type { MoverPlacement } from './mover-placement';
import { recordCopiedDisks, recordProgress } from './replication-recording';
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
  /** Which agent (and so which server and data mover) runs a VM's replication (docs/scale-out.md#data-movers). */
  placement: Pick<MoverPlacement, 'placeReplication'>;
  volumes: VolumeService;
  nbd: ReplicationNbd;
  credentials: VmwareCredentialService;
  /** The agent must report at least this often during a copy, else the job fails (default 60 s). */
  agentSilenceTimeoutMs?: number;
  copy?: { connections?: number; inFlight?: number };
  /** How long a replication queued for another server's agent waits to be claimed (default 10 min). */
  queueMs?: number;
  /** Volumes this server's data mover may hold attached; undefined: no limit is checked. */
  attachmentSlots?: number;
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

  private get queueMs(): number {
    return this.deps.queueMs ?? 600_000;
  }

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
    // No agent, no replication: answer 503 now rather than start a job that fails at once. The job runs on the
    // server of the agent placement chose (mover-placement.ts): here, or queued for that server to claim.
    const credential = await this.deps.credentials.resolveForUse(context.credential_id ?? undefined);
    const route = await this.deps.placement.placeReplication(credential.vcenterHost, contextId);
    const lastOk = await repositories.replicationJobs.findLastCompletedForContext(contextId);
    const type = lastOk === undefined ? 'initial' : 'incremental';
    const job = await joblog.startJob({
      jobType: 'replication',
      operation: `${type} replication of ${context.vm_name}`,
      contextId,
      totalSteps: 4,
      agentId: route.agentId,
      ...(route.local ? {} : { queueUntil: new Date(this.deps.clock.now().getTime() + this.queueMs) }),
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
    if (route.local) this.launch(record, route.agentId);
    else
      this.deps.logger.info({ job_id: job.id, server_id: route.serverId }, "replication queued for the agent's server");
    return record;
  }

  /**
   * Claims the replications other servers queued for the agents connected here and runs them (docs/scale-out.md).
   * Returns how many it claimed.
   */
  async claimQueued(): Promise<number> {
    const agentIds = this.deps.hub.list().map((agent) => agent.id);
    if (agentIds.length === 0) return 0;
    const claimed = await this.deps.joblog.claimQueuedJobs('replication', agentIds);
    for (const job of claimed) {
      const record = await this.deps.repositories.replicationJobs.require(job.id);
      if (job.agent_id === null) throw new Error(`queued replication ${job.id} names no agent`);
      this.deps.logger.info({ job_id: job.id, agent_id: job.agent_id }, 'claimed a queued replication');
      this.launch(record, job.agent_id);
    }
    return claimed.length;
  }

  /**
   * Stops driving the replications this server runs whose job another server ended (cancelled by an operator
   * there, or interrupted after this server's lease lapsed): nothing this process writes may overwrite that.
   */
  async abortEndedElsewhere(): Promise<number> {
    let aborted = 0;
    for (const [jobId, entry] of this.running) {
      const job = await this.deps.joblog.getJob(jobId);
      if (job === undefined || job.status === 'running' || job.status === 'pending') continue;
      entry.abort.abort(new MigrateKitError('MKE_CANCELLED', { message: `The job was ${job.status} elsewhere` }));
      aborted++;
    }
    return aborted;
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
   * Ends the replications whose server stopped mid-copy: failed with MKE_JOB_INTERRUPTED, the VM's job slot
   * released and its status failed, so it can be replicated again (the scheduler's next run resumes from the
   * last change ids). Only those whose JobLog job was already marked interrupted (JobLog.markInterruptedJobs,
   * which claims the jobs of dead servers only): a replication a live server runs is never touched.
   */
  async recoverInterrupted(): Promise<number> {
    const stale = (await this.deps.repositories.replicationJobs.listActiveWithEndedJob()).filter(
      (j) => !this.running.has(j.id),
    );
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

  /**
   * Waits for a job to end: one this process runs, or one another server runs (read back every `pollMs` of the
   * injected clock until it ends; the sweep ends it if that server dies).
   */
  async wait(jobId: string, options: { signal?: AbortSignal; pollMs?: number } = {}): Promise<ReplicationJobRecord> {
    for (;;) {
      const local = this.running.get(jobId);
      if (local !== undefined) await local.done;
      const job = await this.deps.repositories.replicationJobs.require(jobId);
      if (!ACTIVE_REPLICATION_STATUSES.includes(job.status)) return job;
      await this.deps.clock.sleep(options.pollMs ?? 1_000, options.signal);
    }
  }

  async close(): Promise<void> {
    for (const entry of this.running.values()) entry.abort.abort(new MigrateKitError('MKE_CANCELLED'));
    await Promise.allSettled([...this.running.values()].map((e) => e.done));
  }

  private launch(record: ReplicationJobRecord, agentId: string): void {
    const abort = new AbortController();
    const done = this.run(record, agentId, abort.signal).finally(() => this.running.delete(record.id));
    this.running.set(record.id, { abort, done });
  }

  private async run(job: ReplicationJobRecord, agentId: string, signal: AbortSignal): Promise<void> {
    const { repositories, joblog, volumes } = this.deps;
    const pskIdentity = `job-${randomBytes(6).toString('hex')}`;
    try {
      const context = await repositories.contexts.require(job.vm_context_id);
      const credential = await this.deps.credentials.resolveForUse(context.credential_id ?? undefined);
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
        const slots = this.deps.attachmentSlots;
        if (slots !== undefined) {
          const moverVmId = await volumes.serverVmId();
          await assertFreeSlots(repositories, {
            moverVmId,
            slots,
            contextId: context.context_id,
            disks: vm.disks.length,
          });
        }
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
            onProgress: (p) => {
              const entry = this.running.get(job.id);
              if (entry !== undefined) entry.last = p;
              void recordProgress(this.deps, job.id, context.context_id, p);
            },
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
      await joblog.runStep(job.id, 'record change ids', () =>
        recordCopiedDisks(repositories, job, context, vm, result),
      );
      await this.finish(job, 'completed');
    } catch (error) {
      const cancelled = signal.aborted || (isMigrateKitError(error) && error.code === 'MKE_CANCELLED');
      await this.finish(job, cancelled ? 'cancelled' : 'failed', error);
    } finally {
      this.deps.nbd.psk.delete(pskIdentity);
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
