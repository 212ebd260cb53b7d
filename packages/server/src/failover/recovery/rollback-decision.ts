// What a rollback (or test cleanup) will do and what it loses, for the operator's decision in the GUI and CLI:
// built from the failover job and the real state of its volumes, snapshots and target VMs.
import type { ContextRecord, FailoverJobRecord, FailoverType } from '@migratekit/db';
import { UNDONE_FAILOVER_STATUSES } from './recovery-statuses';
import type { InventorySummary } from './recovery-steps';

export interface RollbackDecision {
  failover_type: FailoverType;
  context_id: string;
  vm_name: string;
  context_status: string;
  failover_job: { job_id: string; status: string; created_at: string; target_vm_name: string | null } | null;
  /** False when there is nothing to roll back (no failover, or already undone); `reason` says why. */
  possible: boolean;
  reason: string | null;
  will: string[];
  loses: string[];
  state: InventorySummary | null;
  options: {
    power_on_source: { available: boolean; default: boolean };
    keep_target: { available: boolean; default: boolean };
  };
}

interface DecisionInput {
  failoverType: FailoverType;
  context: ContextRecord;
  job: FailoverJobRecord | undefined;
  inventory: InventorySummary | undefined;
}

function willDo(type: FailoverType, state: InventorySummary): string[] {
  const targets = state.targetVms.map((vm) => vm.name).join(', ') || 'none found';
  const reverting = new Set(state.snapshots.filter((s) => s.state === 'BackedUp').map((s) => s.volumeId));
  return [
    `stop the target VM (${targets})`,
    `detach ${state.volumes.filter((v) => v.attachedTo === 'target').length} volume(s) from it`,
    `revert ${reverting.size} volume(s) to the snapshot taken before the failover`,
    `delete ${state.snapshots.length} failover snapshot(s)`,
    `reattach ${state.volumes.filter((v) => v.attachedTo !== 'missing').length} volume(s) to the MigrateKit server and reopen their exports`,
    `destroy the target VM with expunge (unless kept)${type === 'live' ? '; power the source VM on if asked' : ''}`,
    'mark the failover undone and the VM ready for failover again',
  ];
}

function loses(type: FailoverType): string[] {
  const common = [
    'every change the target VM made to its disks since the failover (the volumes go back to the last sync)',
    'the target VM itself, its NIC addresses and console history (unless kept stopped)',
  ];
  return type === 'live'
    ? [...common, 'work users did on the migrated VM since the cutover: the source VM has not seen it']
    : common;
}

export function describeDecision({ failoverType, context, job, inventory }: DecisionInput): RollbackDecision {
  const undone = job !== undefined && UNDONE_FAILOVER_STATUSES.includes(job.status);
  const reason =
    job === undefined
      ? `${context.vm_name} has no ${failoverType} failover`
      : undone
        ? `the latest ${failoverType} failover is already ${job.status}`
        : null;
  const possible = reason === null;
  const targetName = job?.options?.targetVmName;
  return {
    failover_type: failoverType,
    context_id: context.context_id,
    vm_name: context.vm_name,
    context_status: context.current_status,
    failover_job:
      job === undefined
        ? null
        : {
            job_id: job.job_id,
            status: job.status,
            created_at: job.created_at.toISOString(),
            target_vm_name: typeof targetName === 'string' ? targetName : null,
          },
    possible,
    reason,
    will: possible && inventory !== undefined ? willDo(failoverType, inventory) : [],
    loses: possible ? loses(failoverType) : [],
    state: inventory ?? null,
    options: {
      power_on_source: { available: possible && failoverType === 'live', default: failoverType === 'live' },
      keep_target: { available: possible, default: false },
    },
  };
}
