// A data mover's attachment slots (docs/scale-out.md#data-movers): a KVM VM holds only so many attached volumes
// (MIGRATEKIT_ATTACHMENT_SLOTS). A replication that would attach more than the server VM has free is refused
// before it creates or attaches anything, naming the numbers, instead of failing half-way in CloudStack.
import { MigrateKitError } from '@migratekit/core';
import type { Repositories } from '@migratekit/db';

export interface SlotRequest {
  /** The server VM the volumes attach to. */
  moverVmId: string;
  slots: number;
  contextId: string;
  /** How many disks the VM to replicate has. */
  disks: number;
}

/** Throws MKE_CONFLICT when the context's disks do not fit into the mover's free slots. */
export async function assertFreeSlots(repositories: Pick<Repositories, 'cloudstackVolumes'>, request: SlotRequest) {
  const attached = await repositories.cloudstackVolumes.listAttachedTo(request.moverVmId);
  const others = attached.filter((volume) => volume.vm_context_id !== request.contextId).length;
  const own = attached.length - others;
  const needed = Math.max(0, request.disks - own);
  if (others + own + needed <= request.slots) return;
  throw new MigrateKitError('MKE_CONFLICT', {
    message:
      `The data mover ${request.moverVmId} has ${request.slots - others - own} of ${request.slots} attachment ` +
      `slots free; this VM needs ${needed} more (MIGRATEKIT_ATTACHMENT_SLOTS, docs/scale-out.md)`,
    details: { data_mover_vm_id: request.moverVmId, slots: request.slots, attached: others + own, needed },
  });
}
