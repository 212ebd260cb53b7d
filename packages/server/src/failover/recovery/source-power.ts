// Powers the source VMware VM on again after a live rollback, through a connected agent (the agent's vm.power
// method; a VM already on stays on). The operator chooses this in the rollback request.
import type { Repositories } from '@migratekit/db';
import type { AgentRouter } from '../../agents/agent-router';
import { vcenterParams } from '../../replication/vcenter-params';
import type { VmwareCredentialService } from '../../services/vmware-credential.service';
import type { SourcePower } from './recovery.types';

const POWER_TIMEOUT_MS = 300_000;

export function agentSourcePower(deps: {
  agents: Pick<AgentRouter, 'request'>;
  credentials: Pick<VmwareCredentialService, 'resolveForUse'>;
  repositories: Pick<Repositories, 'contexts'>;
}): SourcePower {
  return {
    async powerOn(contextId, signal) {
      const context = await deps.repositories.contexts.require(contextId);
      const credential = await deps.credentials.resolveForUse(context.credential_id ?? undefined);
      const result = await deps.agents.request(
        credential.vcenterHost,
        'vm.power',
        { vcenter: vcenterParams(credential), vm_id: context.vmware_vm_id, action: 'on' },
        { timeoutMs: POWER_TIMEOUT_MS, signal },
      );
      await deps.repositories.contexts.update(contextId, { power_state: result.power_state });
      return { powerState: result.power_state };
    },
  };
}
