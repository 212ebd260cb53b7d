export * from './protocol';
export {
  AgentLink,
  type AgentLinkOptions,
  type AgentLogger,
  type HandlerContext,
  type MethodHandlers,
} from './agent-link';
export { runAgent, CREDENTIAL_FILE, type RunAgentOptions, type RunningAgent } from './agent';
export { loadCredential, saveCredential, pairWithServer } from './credential-store';
export {
  SimulatorDiskAccess,
  NbdkitVddkDiskAccess,
  buildNbdkitVddkCommand,
  type DiskAccess,
  type SourceDiskRef,
  type VddkOptions,
} from './disk-access';
export { replicateHandler, SNAPSHOT_PREFIX } from './replicate.handler';
export { vcenterConnector } from './vcenter-connect';
