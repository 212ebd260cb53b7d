// The way back from a failover through the generated SDK: the rollback decision (what an undo will do and lose),
// test cleanup / live rollback, and the failed-execution cleanup.
import { api } from '../../api/client';
import type { Result } from '../../api/models';
import type { FailoverType } from './failover-options';

export type RollbackDecision = Result<'getRollbackDecision'>;

export function fetchRollbackDecision(type: FailoverType, vm: string): Promise<RollbackDecision> {
  return api.ops.getRollbackDecision({ path: { failover_type: type, vm } });
}

export function startRollback(
  type: FailoverType,
  vm: string,
  choices: { power_on_source: boolean; keep_target: boolean },
) {
  return api.ops.rollbackFailover({ body: { vm_id: vm, failover_type: type, ...choices } });
}

/** The failed-execution cleanup of a VM (converges every open failover of it to the clean state). */
export function runFailedExecutionCleanup(vm: string) {
  return api.ops.repairFailover({ path: { vm }, body: {} });
}
