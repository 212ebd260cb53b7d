export * from './protocol';
export {
  AgentLink,
  type AgentLinkOptions,
  type AgentLogger,
  type HandlerContext,
  type MethodHandlers,
} from './agent-link';
export { pairAgent, pairedServerUrl, runAgent, type RunAgentOptions, type RunningAgent } from './agent';
export { pairWithServer } from './credential-store';
export {
  SimulatorDiskAccess,
  NbdkitVddkDiskAccess,
  type DiskAccess,
  type SourceDiskRef,
  type VddkOptions,
} from './disk-access';
export { agentPortNbdTransport, type AgentPortNbdOptions } from './nbd-over-agent-port';
