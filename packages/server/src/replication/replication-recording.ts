// What a replication writes besides its job: the vm_disks rows of a finished copy (one per disk, each with its
// own change id) and the agent's progress reports (an event for the live view, a row update for the API).
import type { DiscoveredVmWire, ReplicateProgress, ReplicateResult } from '@migratekit/agent/protocol';
import type { ContextRecord, ReplicationJobRecord, Repositories } from '@migratekit/db';
import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus';
import type { ServerEvent } from '../events/event-types';

/** One vm_disks row per disk of the VM, and the job's final figures. */
export async function recordCopiedDisks(
  repositories: Repositories,
  job: ReplicationJobRecord,
  context: ContextRecord,
  vm: DiscoveredVmWire,
  result: ReplicateResult,
): Promise<void> {
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

/** Publishes an agent progress report and records it on the job row (a failed write is logged, not fatal). */
export async function recordProgress(
  deps: { repositories: Repositories; events: EventBus<ServerEvent>; logger: Pick<Logger, 'warn'> },
  jobId: string,
  contextId: string,
  p: ReplicateProgress,
): Promise<void> {
  const percent = p.bytes_total > 0 ? Math.min(99, Math.floor((p.bytes_done / p.bytes_total) * 100)) : 0;
  deps.events.publish({
    type: 'replication.progress',
    job_id: jobId,
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
    await deps.repositories.replicationJobs.recordProgress(jobId, {
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
    deps.logger.warn({ job_id: jobId, err: String(error) }, 'could not record replication progress');
  }
}
