// The target VM's deployment: stopped, named per docs/failover.md, sized from the source (a custom offering) or the
// chosen offering, NICs in source order on the resolved networks with the source MACs when asked. The VM id is
// recorded in failover_jobs.destination_vm_id the moment CloudStack accepts the deploy.
import type { DeployVirtualMachineRequest, ServiceOffering, VirtualMachine } from '@migratekit/cloudstack';
import { MigrateKitError } from '@migratekit/core';
import type { FailoverCloud } from './failover-cloud';
import type { FailoverDeps } from './failover-deps';
import type { FailoverWorkflowInput } from './failover.types';
import type { ValidateOutput } from './source-steps';

/** CloudStack needs a speed for a custom offering without one; the value only weighs CPU shares on KVM. */
const DEFAULT_CPU_SPEED_MHZ = 1000;

async function chooseOffering(cloud: FailoverCloud, chosen: string | null): Promise<ServiceOffering> {
  const offerings = await cloud.read(() => cloud.client.listServiceOfferings({}));
  const offering =
    chosen === null ? offerings.find((o) => o.iscustomized === true) : offerings.find((o) => o.id === chosen);
  if (offering === undefined)
    throw new MigrateKitError('MKE_VALIDATION', {
      message:
        chosen === null
          ? 'CloudStack offers no custom service offering; choose one (service_offering_id)'
          : `Service offering ${chosen} not found in CloudStack`,
      field: 'service_offering_id',
    });
  return offering;
}

export async function deployTargetVm(
  deps: FailoverDeps,
  cloud: FailoverCloud,
  input: FailoverWorkflowInput,
  source: ValidateOutput,
  signal: AbortSignal,
): Promise<VirtualMachine> {
  const { config, serverVmId } = await deps.cloudStack.withServerVm();
  const server = await cloud.vm(serverVmId);
  const zoneid = config.zoneId ?? server?.zoneid;
  const templateid = input.options.template_id ?? config.templateId ?? server?.templateid;
  if (zoneid === undefined || templateid === undefined)
    throw new MigrateKitError('MKE_NOT_CONFIGURED', {
      message: 'No zone or template for the target VM: set them in the CloudStack configuration',
    });
  const offering = await chooseOffering(cloud, input.options.service_offering_id ?? config.serviceOfferingId);
  const context = await deps.repositories.contexts.require(input.contextId);
  const request: DeployVirtualMachineRequest = {
    zoneid,
    templateid,
    serviceofferingid: offering.id,
    name: input.targetVmName,
    displayname: input.type === 'live' ? context.vm_name : input.targetVmName,
    startvm: false,
    iptonetworklist: source.nics.map((nic) => ({
      networkid: nic.network_id,
      ...(nic.mac_address === null ? {} : { mac: nic.mac_address }),
    })),
  };
  if (offering.iscustomized === true)
    request.details = {
      cpuNumber: source.cpu_count ?? 1,
      memory: source.memory_mb ?? 1024,
      ...(typeof offering.cpuspeed === 'number' ? {} : { cpuSpeed: DEFAULT_CPU_SPEED_MHZ }),
    };
  let recording: Promise<unknown> | undefined;
  const vm = await cloud.client.deployVirtualMachine(request, {
    signal,
    onSubmitted: (submit) => {
      if (submit.id !== undefined)
        recording = deps.repositories.failoverJobs.update(input.failoverJobId, { destination_vm_id: submit.id });
    },
  });
  await recording;
  await deps.repositories.failoverJobs.update(input.failoverJobId, { destination_vm_id: vm.id });
  return vm;
}
