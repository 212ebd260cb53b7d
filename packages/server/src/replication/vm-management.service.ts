// "Add to Management" (docs/model.md#discovery-and-add-to-management) and context deletion. Adding asks the agent for
// the VM (the identity is the instance UUID), creates the context in `discovered`, and starts a replication unless told
// not to. Duplicates: adding a managed VM is MKE_VM_ALREADY_MANAGED with existing_context_id; replicating a managed VM
// is allowed unless it has an active job.
import { MigrateKitError, isMigrateKitError, newContextId, type Clock } from '@migratekit/core';
import type { ContextRecord, ReplicationJobRecord, Repositories } from '@migratekit/db';
import type { AgentRouter } from '../agents/agent-router';
import type { VmwareCredentialService } from '../services/vmware-credential.service';
import type { VolumeService } from '../volumes';
import { assertNothingHoldsVm } from './vm-hold';
import type { ReplicationService } from './replication.service';
import { vcenterParams } from './vcenter-params';

export interface VmManagementDeps {
  repositories: Repositories;
  clock: Clock;
  /** The agent serving the vCenter, here or on another server (docs/scale-out.md#agents-and-scope). */
  agents: Pick<AgentRouter, 'request'>;
  credentials: VmwareCredentialService;
  replication: ReplicationService;
  volumes: VolumeService;
}

export interface AddVmInput {
  vm_id: string;
  credential_id?: string | undefined;
  start_replication?: boolean | undefined;
  owner?: string | undefined;
}

export interface AddVmOutcome {
  context: ContextRecord;
  job: ReplicationJobRecord | null;
  created: boolean;
}

/** One VM's result in a bulk add: the outcome, or the catalogue error that stopped it (others go on). */
export type BulkAddResult =
  { vm_id: string; ok: true; outcome: AddVmOutcome } | { vm_id: string; ok: false; error: MigrateKitError };

export class VmManagementService {
  constructor(private readonly deps: VmManagementDeps) {}

  /** Adds each VM in turn; a VM that fails with a catalogue error is reported and the rest continue. */
  async addMany(vmIds: readonly string[], options: Omit<AddVmInput, 'vm_id'>): Promise<BulkAddResult[]> {
    const results: BulkAddResult[] = [];
    for (const vmId of vmIds) {
      try {
        results.push({ vm_id: vmId, ok: true, outcome: await this.add({ ...options, vm_id: vmId }) });
      } catch (error) {
        if (!isMigrateKitError(error)) throw error;
        results.push({ vm_id: vmId, ok: false, error });
      }
    }
    return results;
  }

  /** Starts a replication of a managed VM, named by its context (MKE_JOB_ACTIVE with existing_context_id). */
  async replicateContext(contextId: string, owner: string | undefined): Promise<AddVmOutcome> {
    const context = await this.deps.repositories.contexts.require(contextId);
    const job = await this.startOn(context, owner);
    return { context: await this.deps.repositories.contexts.require(contextId), job, created: false };
  }

  async add(input: AddVmInput): Promise<AddVmOutcome> {
    const { repositories } = this.deps;
    const start = input.start_replication ?? true;
    const existing = await repositories.contexts.findActiveByVmwareVmId(input.vm_id);
    if (existing !== undefined) {
      if (!start)
        throw new MigrateKitError('MKE_VM_ALREADY_MANAGED', {
          details: { existing_context_id: existing.context_id, vm_name: existing.vm_name },
        });
      const job = await this.startOn(existing, input.owner);
      return { context: await repositories.contexts.require(existing.context_id), job, created: false };
    }
    const credential = await this.deps.credentials.resolveForUse(input.credential_id);
    const vm = await this.deps.agents.request(
      credential.vcenterHost,
      'vm.info',
      { vcenter: vcenterParams(credential), vm_id: input.vm_id },
      { timeoutMs: 120_000 },
    );
    const cloudstack = await repositories.cloudstackConfigs.getActive();
    const context = await repositories.contexts.create({
      context_id: newContextId(vm.name, this.deps.clock.now()),
      vm_name: vm.name,
      vmware_vm_id: vm.id,
      vm_path: vm.path,
      vcenter_host: credential.vcenterHost,
      datacenter: vm.datacenter,
      credential_id: credential.id,
      cloudstack_config_id: cloudstack?.id ?? null,
      cpu_count: vm.cpus,
      memory_mb: vm.memory_mb,
      os_type: vm.os_type,
      firmware: vm.firmware,
      power_state: vm.power_state,
      vm_tools_status: vm.tools_status,
    });
    // The VM's disks and NICs as discovered, before any job: network mapping needs the source networks now.
    for (const disk of vm.disks)
      await repositories.vmDisks.create({
        vm_context_id: context.context_id,
        job_id: null,
        disk_id: disk.id,
        label: disk.label,
        vmdk_path: disk.vmdk_path,
        datastore: disk.datastore,
        capacity_bytes: disk.capacity_bytes,
        provisioning: disk.provisioning,
        controller: disk.controller,
        unit_number: disk.unit_number,
        cloudstack_volume_id: null,
        disk_change_id: null,
        sync_status: 'discovered',
        cpu_count: vm.cpus,
        memory_mb: vm.memory_mb,
        os_type: vm.os_type,
        firmware: vm.firmware,
        nics: vm.networks.map((n) => ({ ...n })),
      });
    const job = start ? await this.deps.replication.start(context.context_id, ownerOf(input.owner)) : null;
    return { context: await repositories.contexts.require(context.context_id), job, created: true };
  }

  /** Deletes the context with its rows, NBD exports and CloudStack volumes; refused while a job runs. */
  async delete(contextId: string): Promise<{ volumes_deleted: number }> {
    const { repositories } = this.deps;
    const context = await repositories.contexts.require(contextId);
    await assertNothingHoldsVm(repositories, context, {
      message: 'The VM has an active job; cancel it before deleting the context',
    });
    const volumes = await this.deps.volumes.deleteContextVolumes(contextId);
    for (const row of await repositories.nbdExports.list({ contextId }))
      await repositories.nbdExports.delete(row.export_name);
    await repositories.contexts.delete(contextId);
    return { volumes_deleted: volumes };
  }

  private async startOn(context: ContextRecord, owner: string | undefined): Promise<ReplicationJobRecord> {
    try {
      return await this.deps.replication.start(context.context_id, ownerOf(owner));
    } catch (error) {
      if (isMigrateKitError(error) && error.code === 'MKE_JOB_ACTIVE')
        throw new MigrateKitError('MKE_JOB_ACTIVE', {
          details: { ...error.details, existing_context_id: context.context_id },
        });
      throw error;
    }
  }
}

function ownerOf(owner: string | undefined): { owner?: string } {
  return owner === undefined ? {} : { owner };
}
