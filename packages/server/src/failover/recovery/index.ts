// The way back from a failover: test cleanup, live rollback and the failed-execution cleanup
// (docs/failover-recovery.md).
export { FAILOVER_SNAPSHOT_PREFIX, readFailoverInventory, type FailoverInventory } from './failover-inventory';
export { RECOVERY_STEPS, recoveryWorkflow, recoveryWorkflows } from './recovery-workflows';
export {
  RecoveryService,
  type RecoveryServiceDeps,
  type RollbackRequest,
  type StartedRecovery,
} from './recovery.service';
export type { RollbackDecision } from './rollback-decision';
export { agentSourcePower } from './source-power';
export * from './recovery.types';
