// discover, vm.info and vm.power: thin wrappers over @migratekit/vsphere that answer in the wire shapes.
import { MigrateKitError } from '@migratekit/core';
import { toDiscoveredVm, vmConcerns, type VmDetails, type VsphereClient } from '@migratekit/vsphere';
import type {
  DiscoverParams,
  DiscoverResult,
  DiscoveredVmWire,
  PowerParams,
  PowerResult,
  VmRefParams,
} from './protocol';
import type { VcenterConnector } from './vcenter-connect';

function toWireVm(details: VmDetails): DiscoveredVmWire {
  return { ...toDiscoveredVm(details), concerns: vmConcerns(details), moref: details.ref.value };
}

async function withClient<T>(
  connect: VcenterConnector,
  params: VmRefParams | DiscoverParams,
  work: (client: VsphereClient) => Promise<T>,
): Promise<T> {
  const client = await connect(params.vcenter);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

export async function findVm(client: VsphereClient, vmId: string): Promise<VmDetails> {
  const ref = await client.findVmByInstanceUuid(vmId);
  if (ref === undefined)
    throw new MigrateKitError('MKE_VSPHERE_OBJECT_NOT_FOUND', {
      message: `No VM with instance UUID ${vmId} on this vCenter`,
      details: { vm_id: vmId },
    });
  return client.getVm(ref);
}

export function discoverHandler(connect: VcenterConnector) {
  return (params: DiscoverParams): Promise<DiscoverResult> =>
    withClient(connect, params, async (client) => {
      const results = await client.discoverVmDetails({
        datacenter: params.datacenter ?? params.vcenter.datacenter ?? undefined,
        filter: params.filter ?? undefined,
      });
      return {
        vcenter_host: params.vcenter.host,
        vms: results.map((r) => ({ ...r.vm, concerns: r.concerns, moref: r.details.ref.value })),
      };
    });
}

export function vmInfoHandler(connect: VcenterConnector) {
  return (params: VmRefParams): Promise<DiscoveredVmWire> =>
    withClient(connect, params, async (client) => toWireVm(await findVm(client, params.vm_id)));
}

export function vmPowerHandler(connect: VcenterConnector) {
  return (params: PowerParams): Promise<PowerResult> =>
    withClient(connect, params, async (client) => {
      const vm = await findVm(client, params.vm_id);
      let outcome: string | undefined;
      if (params.action === 'on' && vm.powerState !== 'poweredOn') await client.powerOn(vm.ref);
      if (params.action === 'off' && vm.powerState !== 'poweredOff') await client.powerOff(vm.ref);
      if (params.action === 'shutdown')
        outcome = await client.shutdown(vm.ref, {
          ...(params.shutdown_timeout_ms === undefined ? {} : { timeoutMs: params.shutdown_timeout_ms }),
        });
      return { power_state: await client.getPowerState(vm.ref), ...(outcome === undefined ? {} : { outcome }) };
    });
}
