export {
  cloudStackClientFor,
  connectionError,
  discoverCloudStackResources,
  testCloudStackConnection,
  type CloudStackTarget,
  type ConnectionDeps,
  type ConnectionTestResult,
} from './cloudstack-connection';
export { resolveCloudStackTarget, type TargetInput } from './cloudstack-target';
export type { DiscoveredNetwork, DiscoveredResources } from './discovered-resources';
export { cloudStackClientFromConfig } from './cloudstack-client.factory';
export {
  createCloudStackAccess,
  type ActiveCloudStack,
  type CloudStackAccess,
  type CloudStackAccessDeps,
} from './cloudstack-access';
