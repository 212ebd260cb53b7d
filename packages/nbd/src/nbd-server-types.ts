import type { Clock } from '@migratekit/core';
import type { SecureContextOptions } from 'node:tls';
import type { BufferPool } from './buffer-pool';
import type { NbdBackend } from './nbd-backend';
import type { NbdLogger } from './nbd-logger';
import type { PskKeys } from './nbd-tls';

export interface NbdExportOptions {
  description?: string;
  /** Advertise CAN_MULTI_CONN (default true: our backends share one cache across connections). */
  multiConn?: boolean;
}

export interface NbdExport {
  readonly name: string;
  readonly backend: NbdBackend;
  readonly description: string | undefined;
  readonly multiConn: boolean;
}

export interface NbdServerTlsOptions {
  /** off: STARTTLS refused; optional: clients choose; require: every option but STARTTLS/ABORT needs TLS. */
  mode: 'off' | 'optional' | 'require';
  cert?: Buffer | string;
  key?: Buffer | string;
  ca?: Buffer | string;
  /** Require and verify a client certificate signed by `ca`. */
  verifyPeer?: boolean;
  /** identity -> key, for TLS-PSK. */
  psk?: PskKeys;
}

export interface AuthorizeContext {
  exportName: string;
  peer: string;
  tlsIdentity?: string;
}

export interface NbdServerOptions {
  logger?: NbdLogger;
  tls?: NbdServerTlsOptions;
  authorize?: (ctx: AuthorizeContext) => boolean;
  clock?: Clock;
  /** Connections that do not finish the handshake in time are dropped. */
  handshakeTimeoutMs?: number;
  /** How long removeExport()/close() wait for requests in flight before closing anyway (default 30 s). */
  drainTimeoutMs?: number;
  /** Largest READ/WRITE payload accepted and advertised in INFO_BLOCK_SIZE. */
  maxPayload?: number;
  /** Requests processed at once per connection; reading stops beyond this. */
  maxInFlight?: number;
  /** Bytes of unsent replies per connection beyond which reading stops until the peer drains them. */
  maxQueuedReplyBytes?: number;
  /**
   * Child processes that serve negotiated plain-TCP connections to file exports, so that several connections
   * use several cores (0, the default: every connection is served in this process). Connections inside TLS
   * and exports with other backends are always served in this process. See docs/benchmarks.md.
   */
  connectionProcesses?: number;
}

/** What one connection needs from its server. */
export interface ServerContext {
  readonly logger: NbdLogger;
  readonly tlsMode: 'off' | 'optional' | 'require';
  /** Certificate, key, CA and cipher settings for each STARTTLS; null when TLS is off. */
  readonly tlsContextOptions: SecureContextOptions | null;
  readonly tlsOptions: NbdServerTlsOptions | undefined;
  readonly maxPayload: number;
  readonly maxInFlight: number;
  readonly maxQueuedReplyBytes: number;
  readonly bufferPool: BufferPool;
  findExport(name: string, peer: string, tlsIdentity: string | undefined): NbdExport | undefined;
  listExports(peer: string, tlsIdentity: string | undefined): NbdExport[];
}
