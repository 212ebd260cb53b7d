// The failover steps on the CloudStack side: snapshots of every volume, guest conversion, the target VM (deployed
// stopped), the volumes moved from the server to it, start. Volumes change only through VolumeService; each
// inspect reads CloudStack (snapshots found by name, the VM by name, volumes by id).
import { MigrateKitError, errorMessage, isMigrateKitError } from '@migratekit/core';
import type { InspectResult, StepDefinition } from '../workflows';
import { osFamilyFromGuestId } from '../conversion/guest-os';
import { failoverSnapshotName, restoreScope, type FailoverWorkflowInput } from './failover.types';
import type { FailoverDeps } from './failover-deps';
import { failoverCloud, restoreDepsOf } from './failover-cloud';
import { restoreVolumes } from './volume-restore';
import { deployTargetVm } from './target-vm';
import { discardTemplateRoot } from './template-root';
import type { ValidateOutput } from './source-steps';

type Step<Outputs, Output> = StepDefinition<FailoverWorkflowInput, Outputs, Output>;
type AfterValidate = { validate: ValidateOutput };

export interface SnapshotOutput {
  /** CloudStack volume id -> snapshot id (also in failover_jobs.volume_snapshots). */
  snapshots: Record<string, string>;
}

export function snapshotStep(deps: FailoverDeps): Step<AfterValidate, SnapshotOutput> {
  const existing = async (input: FailoverWorkflowInput): Promise<Record<string, string>> => {
    const cloud = await failoverCloud(deps);
    const found: Record<string, string> = {};
    for (const s of await cloud.snapshotsNamed(failoverSnapshotName(input.failoverJobId))) found[s.volumeid] = s.id;
    return found;
  };
  return {
    run: async ({ input, outputs, log }) => {
      // A rerun (after a crash) reuses the snapshots already taken: they carry the failover's name.
      const snapshots = await existing(input);
      for (const { volume_id: volumeId } of outputs.validate.volumes) {
        if (snapshots[volumeId] === undefined) {
          const taken = await deps.volumes.createSnapshot(volumeId, {
            name: failoverSnapshotName(input.failoverJobId),
          });
          snapshots[volumeId] = taken.snapshotId;
          await log('info', `Snapshot ${taken.snapshotId} of volume ${volumeId}`);
        }
        await deps.repositories.failoverJobs.update(input.failoverJobId, { volume_snapshots: { ...snapshots } });
      }
      return { snapshots };
    },
    inspect: async ({ input, outputs }) => {
      const snapshots = await existing(input);
      const all = outputs.validate.volumes.every((v) => snapshots[v.volume_id] !== undefined);
      return all ? { happened: true, output: { snapshots } } : { happened: false };
    },
    // What wrote to the volumes since the snapshots (the guest conversion, the target VM) is undone first: each
    // volume is reverted to its snapshot, then the snapshots go (found by name as well as recorded: a crash may
    // have left one unrecorded) and every volume goes back to the server (volume-restore.ts).
    compensate: async ({ input, signal }) => {
      await restoreVolumes(restoreDepsOf(deps), restoreScope(input), signal);
      await deps.repositories.failoverJobs.update(input.failoverJobId, { volume_snapshots: null });
    },
  };
}

export type ConversionOutput =
  | { converted: false; skipped: true; reason: string }
  | { converted: true; skipped: false; summary: string }
  | { converted: false; skipped: false; warning: string };

export function conversionStep(deps: FailoverDeps): Step<AfterValidate, ConversionOutput> {
  return {
    run: async ({ input, outputs, signal, log }) => {
      if (input.options.skip_conversion)
        return { converted: false, skipped: true, reason: 'conversion skipped by the operator' };
      const availability = await deps.converter.availability();
      if (!availability.available) {
        const reason = availability.reason ?? 'no guest converter is configured';
        await log('warn', `Guest conversion skipped: ${reason}`);
        return { converted: false, skipped: true, reason };
      }
      const devices: string[] = [];
      for (const volume of outputs.validate.volumes)
        devices.push((await deps.volumes.attachToServer(volume.volume_id)).devicePath);
      const toolLines = orderedLog(log);
      let result;
      try {
        result = await deps.converter.convert({
          devices,
          // vSphere's guestId; `unknown` (none, or "otherGuest") makes the converter inspect the disks first.
          osFamily: osFamilyFromGuestId(outputs.validate.os_type),
          onLine: toolLines.write,
          signal,
          timeoutMs: deps.converter.conversionTimeoutMs,
        });
      } catch (error) {
        // The tool's lines are in the job log before its failure is; the failure is what the step reports.
        const lost = await toolLines.settle();
        if (lost !== undefined) deps.logger.warn({ err: errorMessage(lost) }, 'conversion output not all logged');
        // A test failover must not boot a guest that may not start; a live one goes on (the source is already off).
        // An aborted step (shutdown, lost lease) is not a conversion result: the runner decides what follows.
        if (input.type === 'test' || (isMigrateKitError(error) && error.code === 'MKE_CANCELLED')) throw error;
        const warning = `Guest conversion failed; continuing the live failover: ${errorMessage(error)}`;
        await log('warn', warning);
        return { converted: false, skipped: false, warning };
      }
      const lost = await toolLines.settle();
      if (lost !== undefined) throw lost instanceof Error ? lost : new Error(errorMessage(lost));
      return { converted: true, skipped: false, summary: result.summary };
    },
    // Converting in place again is harmless (virt-v2v-in-place is idempotent on a converted guest).
    inspect: () => Promise.resolve({ happened: false }),
  };
}

/**
 * The tool's output lines into the job log in the order printed, one write at a time; `settle` waits for the
 * last and returns the first failed write, if any (a line is never lost silently).
 */
function orderedLog(log: (level: 'info' | 'warn', message: string) => Promise<void>) {
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  return {
    write: (level: 'info' | 'warn', line: string): void => {
      chain = chain
        .then(() => log(level, line))
        .catch((error: unknown) => {
          failure ??= error;
        });
    },
    settle: async (): Promise<unknown> => {
      await chain;
      return failure;
    },
  };
}

export interface CreateVmOutput {
  vm_id: string;
}

export function createVmStep(deps: FailoverDeps): Step<AfterValidate, CreateVmOutput> {
  return {
    run: async ({ input, outputs, signal, log }) => {
      const cloud = await failoverCloud(deps);
      const found = await cloud.vmNamed(input.targetVmName);
      if (found !== undefined) {
        if (found.id !== (await deps.repositories.failoverJobs.require(input.failoverJobId)).destination_vm_id)
          throw new MigrateKitError('MKE_CONFLICT', {
            message: `A CloudStack VM named ${input.targetVmName} exists and is not this failover's`,
          });
        return { vm_id: found.id };
      }
      const vm = await deployTargetVm(deps, cloud, input, outputs.validate, signal);
      await log('info', `Target VM ${vm.name} (${vm.id}) created stopped`);
      return { vm_id: vm.id };
    },
    inspect: async ({ input }) => {
      const cloud = await failoverCloud(deps);
      const vm = await cloud.vmNamed(input.targetVmName);
      if (vm === undefined) return { happened: false };
      await deps.repositories.failoverJobs.update(input.failoverJobId, { destination_vm_id: vm.id });
      return { happened: true, output: { vm_id: vm.id } };
    },
    compensate: async ({ input, signal }, output) => {
      const cloud = await failoverCloud(deps);
      const vm = (await cloud.vm(output.vm_id)) ?? (await cloud.vmNamed(input.targetVmName));
      if (vm === undefined) return;
      // Our volumes never go down with the VM: move any still on it back to the server first.
      for (const row of await deps.repositories.cloudstackVolumes.listByContext(input.contextId)) {
        const volume = await cloud.volume(row.volume_id);
        if (volume?.virtualmachineid === vm.id) await deps.volumes.attachToServer(row.volume_id);
      }
      await cloud.client.destroyVirtualMachine({ id: vm.id, expunge: true }, { signal });
    },
  };
}

/** Where every volume of the failover is now: the VM id it is attached to (undefined when detached). */
async function placements(deps: FailoverDeps, volumes: readonly { volume_id: string }[]) {
  const cloud = await failoverCloud(deps);
  const out: { volumeId: string; vmId: string | undefined; deviceId: number | undefined }[] = [];
  for (const { volume_id: volumeId } of volumes) {
    const volume = await cloud.volume(volumeId);
    if (volume === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `Volume ${volumeId} no longer exists in CloudStack` });
    out.push({ volumeId, vmId: volume.virtualmachineid, deviceId: volume.deviceid });
  }
  return out;
}

export function detachVolumesStep(
  deps: FailoverDeps,
): Step<AfterValidate & { 'create target VM': CreateVmOutput }, { volume_ids: string[] }> {
  return {
    run: async ({ outputs }) => {
      const ids = outputs.validate.volumes.map((v) => v.volume_id);
      for (const id of ids) await deps.volumes.detachFromServer(id);
      return { volume_ids: ids };
    },
    inspect: async ({ outputs }) => {
      const target = outputs['create target VM'].vm_id;
      const now = await placements(deps, outputs.validate.volumes);
      return now.every((p) => p.vmId === undefined || p.vmId === target)
        ? { happened: true, output: { volume_ids: now.map((p) => p.volumeId) } }
        : { happened: false };
    },
    compensate: async (_context, output) => {
      for (const id of output.volume_ids) await deps.volumes.attachToServer(id);
    },
  };
}

export interface AttachOutput {
  attachments: { volume_id: string; device_id: number | null }[];
  discarded_root_disk: string | null;
}

export function attachVolumesStep(
  deps: FailoverDeps,
): Step<AfterValidate & { 'create target VM': CreateVmOutput }, AttachOutput> {
  return {
    run: async ({ input, outputs }) => {
      const vmId = outputs['create target VM'].vm_id;
      const [root, ...data] = outputs.validate.volumes;
      if (root === undefined) throw new MigrateKitError('MKE_VALIDATION', { message: 'The VM has no volumes' });
      // After a crash the root slot may already hold our root volume: only a template disk is discarded.
      const discarded = await discardTemplateRoot(deps, input, vmId);
      await deps.volumes.attachToVm(root.volume_id, vmId, 0);
      for (const volume of data) await deps.volumes.attachToVm(volume.volume_id, vmId);
      const now = await placements(deps, outputs.validate.volumes);
      return {
        attachments: now.map((p) => ({ volume_id: p.volumeId, device_id: p.deviceId ?? null })),
        discarded_root_disk: discarded,
      };
    },
    inspect: async ({ outputs }): Promise<InspectResult<AttachOutput>> => {
      const vmId = outputs['create target VM'].vm_id;
      const now = await placements(deps, outputs.validate.volumes);
      const rootOk = now[0]?.vmId === vmId && now[0].deviceId === 0;
      if (!rootOk || !now.every((p) => p.vmId === vmId)) return { happened: false };
      return {
        happened: true,
        output: {
          attachments: now.map((p) => ({ volume_id: p.volumeId, device_id: p.deviceId ?? null })),
          discarded_root_disk: null,
        },
      };
    },
    compensate: async ({ outputs }) => {
      const vmId = outputs['create target VM'].vm_id;
      for (const p of await placements(deps, outputs.validate.volumes))
        if (p.vmId === vmId) await deps.volumes.attachToServer(p.volumeId);
    },
  };
}

export function startVmStep(
  deps: FailoverDeps,
): Step<AfterValidate & { 'create target VM': CreateVmOutput }, { state: string }> {
  return {
    run: async ({ outputs, signal }) => {
      const cloud = await failoverCloud(deps);
      const vmId = outputs['create target VM'].vm_id;
      const started = await cloud.client.startVirtualMachine(vmId, { signal });
      const now = (await cloud.vm(vmId))?.state ?? started.state;
      if (now !== 'Running')
        throw new MigrateKitError('MKE_UPSTREAM_ERROR', { message: `The target VM is ${now} after start` });
      return { state: now };
    },
    inspect: async ({ outputs }) => {
      const vm = await (await failoverCloud(deps)).vm(outputs['create target VM'].vm_id);
      return vm?.state === 'Running' ? { happened: true, output: { state: vm.state } } : { happened: false };
    },
    compensate: async ({ outputs, signal }) => {
      const cloud = await failoverCloud(deps);
      const vm = await cloud.vm(outputs['create target VM'].vm_id);
      if (vm?.state === 'Running') await cloud.client.stopVirtualMachine({ id: vm.id, forced: true }, { signal });
    },
  };
}
