export * from './nbd-backend';
export * from './nbd-error';
export * from './nbd-logger';
export * from './nbd-tls';
export * from './nbd-uri';
export { MemoryBackend } from './memory-backend';
export { FileBackend, type FileBackendOptions } from './file-backend';
export { seekSupported } from './seek-extents';
export { NbdServer } from './nbd-server';
export { defaultConnectionProcesses } from './nbd-server-processes';
export type { AuthorizeContext, NbdExportOptions, NbdServerOptions, NbdServerTlsOptions } from './nbd-server-types';
export { NbdClient } from './nbd-client';
export type { BlockSizes, NbdClientOptions, NbdClientTlsOptions, NbdExportInfo } from './nbd-client-types';
export {
  copyExtents,
  hashRange,
  CopyInterruptedError,
  type CopyEndpoint,
  type NbdConnectSpec,
  type NbdEndpointSpec,
  type CopyOptions,
  type CopyResult,
} from './copy-engine';
export {
  DEFAULT_COPY_WORKERS,
  DEFAULT_IN_FLIGHT,
  DEFAULT_REQUEST_SIZE,
  defaultCopyConnections,
  defaultCopyWorkers,
} from './copy-defaults';
export type { CopyProgress } from './copy-progress';
export type { Range } from './copy-plan';
