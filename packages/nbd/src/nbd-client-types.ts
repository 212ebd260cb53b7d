import type { Socket } from 'node:net';
import type { Clock } from '@migratekit/core';
import type { NbdLogger } from './nbd-logger';

export interface NbdClientTlsOptions {
  /** require: fail unless TLS is negotiated; prefer: try STARTTLS, go on in plaintext if refused. */
  mode: 'require' | 'prefer';
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  psk?: { identity: string; key: Buffer };
  /** Name checked against the server certificate (default: the host). */
  servername?: string;
  /** Verify the server certificate (default true; PSK needs no certificate). */
  verifyPeer?: boolean;
}

export interface NbdClientOptions {
  host?: string;
  port?: number;
  socketPath?: string;
  exportName?: string;
  tls?: NbdClientTlsOptions;
  /**
   * Opens a connection the caller has already encrypted and authenticated (NBD carried inside another TLS
   * session, e.g. upgraded from an HTTPS request): host, port and `tls` are not used, no STARTTLS is sent and
   * the connection counts as TLS (no plaintext EXPORT_NAME fallback).
   */
  securedTransport?: () => Promise<Socket>;
  /** Ask for structured replies (default true; the server may refuse). */
  structuredReplies?: boolean;
  /** Ask for the base:allocation context (default true). */
  blockStatus?: boolean;
  /** Requests in flight at once on this connection (default 64). */
  window?: number;
  /** Each request must be answered within this time, else the connection is failed (default: no limit). */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  clock?: Clock;
  logger?: NbdLogger;
}

export interface NbdExportInfo {
  name: string;
  description: string;
}

export interface BlockSizes {
  minimum: number;
  preferred: number;
  maximum: number;
}

/** What the handshake learned about the export. */
export interface NegotiatedExport {
  size: number;
  flags: number;
  structured: boolean;
  allocationContext: number | null;
  blockSizes: BlockSizes;
  tls: boolean;
}
