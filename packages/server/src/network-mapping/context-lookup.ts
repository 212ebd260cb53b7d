// Legacy paths name a VM by context id, VMware instance UUID or VM name; everything after this lookup uses the
// context id only (docs/network-mapping.md).
import { MigrateKitError } from '@migratekit/core';
import type { ContextRecord, Repositories } from '@migratekit/db';

export async function contextByVmReference(
  repositories: Pick<Repositories, 'contexts'>,
  reference: string,
): Promise<ContextRecord> {
  const byId = await repositories.contexts.get(reference);
  if (byId !== undefined) return byId;
  const byUuid = await repositories.contexts.findActiveByVmwareVmId(reference);
  if (byUuid !== undefined) return byUuid;
  const byName = await repositories.contexts.findActiveByVmName(reference);
  const [only, ...others] = byName;
  if (only !== undefined && others.length === 0) return only;
  if (only !== undefined)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: `${byName.length} managed VMs are named ${reference}; use the context id`,
      field: 'params.vm_id',
      details: { candidates: byName.map((c) => c.context_id) },
    });
  throw new MigrateKitError('MKE_NOT_FOUND', {
    message: `No managed VM has the context id, VMware id or name ${reference}`,
    field: 'params.vm_id',
  });
}
