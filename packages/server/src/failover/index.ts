// Unified failover, test and live, as workflows of the durable runner (docs/failover.md).
export * from './failover.types';
export { FailoverService, type StartFailoverRequest, type StartedFailover } from './failover.service';
export { failoverWorkflows, asRegistered, type FailoverWorkflows } from './failover-workflows';
export type { FailoverDeps } from './failover-deps';
export type { PreflightReport, PreflightCheck } from './preflight';
export type { FailoverJobView, FailoverStatusView, FailoverStepView } from './failover-views';
