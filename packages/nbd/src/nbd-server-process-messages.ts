// Messages between an NbdServer and its connection processes (nbd-server-processes.ts, nbd-server-child.ts).
// The parent negotiates every connection; a child runs the transmission phase of the plain-TCP ones it is given.

/** Limits the child applies to each connection, as the parent's options set them. */
export interface ChildLimits {
  maxPayload: number;
  maxInFlight: number;
  maxQueuedReplyBytes: number;
  drainTimeoutMs: number;
}

/** A negotiated connection for a file export; the socket travels as the message's handle. */
export interface ServeConnection {
  type: 'serve';
  id: number;
  exportName: string;
  path: string;
  readOnly: boolean;
  description: string | undefined;
  multiConn: boolean;
  structured: boolean;
  allocationContext: number | null;
  /** The handshake's last reply, which the child sends (see Negotiated.finalReply). */
  finalReply: Uint8Array;
  /** Bytes the parent read past the handshake (none from a client that waits for the final reply). */
  leftover: Uint8Array;
}

export type ToChild =
  | { type: 'init'; limits: ChildLimits }
  | ServeConnection
  /** Close the export's connections (after their requests in flight) and its file handle, then answer. */
  | { type: 'removeExport'; exportName: string }
  | { type: 'close' };

export type FromChild =
  | { type: 'ready' }
  | { type: 'connectionClosed'; id: number }
  | { type: 'exportRemoved'; exportName: string; closedConnections: number }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; fields: Record<string, unknown>; message: string };
