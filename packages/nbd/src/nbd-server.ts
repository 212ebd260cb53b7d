import { systemClock, type Clock } from '@migratekit/core';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { NbdBackend } from './nbd-backend';
import { BufferPool } from './buffer-pool';
import { FileBackend } from './file-backend';
import { DEFAULT_MAX_PAYLOAD } from './nbd-constants';
import { NbdError } from './nbd-error';
import { silentLogger, type NbdLogger } from './nbd-logger';
import { ServerTransmission, drainWithin, isExpectedClose, runTransmission } from './nbd-server-transmission';
import { HandshakeClosed, ServerHandshake, type Negotiated } from './nbd-server-handshake';
import { ConnectionProcesses } from './nbd-server-processes';
import type { NbdExport, NbdExportOptions, NbdServerOptions, ServerContext } from './nbd-server-types';
import { PSK_CIPHERS, TLS13_CIPHERSUITES } from './nbd-tls';
import { StreamReader } from './stream-reader';

/**
 * Stops the handle reading. A paused net.Socket's handle keeps reading, and a handle sent to another process
 * stays open here (reading into a no-op) until the child acknowledges it: the first requests, which the
 * client sends as soon as the child's final reply arrives, would be read here and lost. Node has no public
 * call for this; `_handle.readStop()` is what Socket.pause() itself uses for `onread` sockets.
 */
function stopReading(socket: Socket): void {
  const handle = (socket as unknown as { _handle?: { reading?: boolean; readStop?: () => number } })._handle;
  if (!handle?.readStop) throw new Error('cannot stop reading a socket before moving it');
  handle.reading = false;
  const status = handle.readStop();
  if (status !== 0) throw new Error(`cannot stop reading a socket before moving it (status ${status})`);
}

interface Connection {
  socket: Socket;
  peer: string;
  exportName: string | null;
  transmission: ServerTransmission | null;
  /** Moved to a connection process; this process no longer owns its socket. */
  handedOff: boolean;
}

/**
 * An NBD server: fixed newstyle, several named exports on one port that can be added and removed while it
 * runs (other exports' connections are untouched), optional or mandatory STARTTLS with certificates or PSK.
 */
export class NbdServer {
  private readonly exportsByName = new Map<string, NbdExport>();
  private readonly connections = new Set<Connection>();
  /** Connections whose requests may still hold pooled buffers (serve() not settled yet). */
  private serving = 0;
  private readonly logger: NbdLogger;
  private readonly clock: Clock;
  private readonly ctx: ServerContext;
  private server: Server | null = null;
  /** Children serving negotiated plain-TCP file connections; null when every connection is served here. */
  private readonly processes: ConnectionProcesses | null;

  constructor(private readonly options: NbdServerOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    const tls = options.tls;
    const mode = tls?.mode ?? 'off';
    let tlsContextOptions: SecureContextOptions | null = null;
    if (tls && mode !== 'off') {
      if (!tls.psk && !(tls.cert && tls.key)) throw new Error('TLS needs a certificate and key, or PSK keys');
      tlsContextOptions = {
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
        ...(tls.ca ? { ca: tls.ca } : {}),
        minVersion: 'TLSv1.2',
        ...(tls.psk ? { ciphers: `${TLS13_CIPHERSUITES}:${PSK_CIPHERS}` } : {}),
      };
      // Fail at construction, not at the first STARTTLS, when the material is unusable.
      createSecureContext(tlsContextOptions);
    }
    const processes = options.connectionProcesses ?? 0;
    this.processes =
      processes > 0
        ? new ConnectionProcesses(
            processes,
            {
              maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
              maxInFlight: options.maxInFlight ?? 64,
              maxQueuedReplyBytes: options.maxQueuedReplyBytes ?? 16 * 1024 * 1024,
              drainTimeoutMs: options.drainTimeoutMs ?? 30_000,
            },
            this.logger,
            this.clock,
          )
        : null;
    const authorize = options.authorize;
    const visible = (exp: NbdExport, peer: string, tlsIdentity: string | undefined): boolean =>
      !authorize || authorize({ exportName: exp.name, peer, ...(tlsIdentity ? { tlsIdentity } : {}) });
    this.ctx = {
      logger: this.logger,
      tlsMode: mode,
      tlsContextOptions,
      tlsOptions: tls,
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      maxInFlight: options.maxInFlight ?? 64,
      maxQueuedReplyBytes: options.maxQueuedReplyBytes ?? 16 * 1024 * 1024,
      bufferPool: new BufferPool(),
      findExport: (name, peer, tlsIdentity) => {
        let exp = this.exportsByName.get(name);
        // The default (empty) name means the only export, when there is exactly one the client may see.
        if (!exp && name === '') {
          const list = [...this.exportsByName.values()].filter((e) => visible(e, peer, tlsIdentity));
          if (list.length === 1) exp = list[0];
        }
        return exp && visible(exp, peer, tlsIdentity) ? exp : undefined;
      },
      listExports: (peer, tlsIdentity) => [...this.exportsByName.values()].filter((e) => visible(e, peer, tlsIdentity)),
    };
  }

  addExport(name: string, backend: NbdBackend, options: NbdExportOptions = {}): void {
    if (Buffer.byteLength(name) > 4096) throw new Error('export name too long');
    if (this.exportsByName.has(name)) throw new Error(`export ${name} already exists`);
    this.exportsByName.set(name, {
      name,
      backend,
      description: options.description,
      multiConn: options.multiConn ?? true,
    });
    this.logger.info({ exportName: name, size: backend.size, readOnly: backend.readOnly }, 'nbd export added');
  }

  /** Removes an export; its open connections finish the requests in flight and are closed. */
  async removeExport(name: string): Promise<boolean> {
    if (!this.exportsByName.delete(name)) return false;
    const closing = [...this.connections].filter((c) => c.exportName === name).map((c) => this.closeConnection(c));
    const [elsewhere] = await Promise.all([this.processes?.removeExport(name) ?? 0, ...closing]);
    this.logger.info({ exportName: name, closedConnections: closing.length + elsewhere }, 'nbd export removed');
    return true;
  }

  exports(): Array<{ name: string; size: number; readOnly: boolean; connections: number }> {
    return [...this.exportsByName.values()].map((e) => ({
      name: e.name,
      size: e.backend.size,
      readOnly: e.backend.readOnly,
      connections:
        [...this.connections].filter((c) => c.exportName === e.name && !c.handedOff).length +
        (this.processes?.connectionsOf(e.name) ?? 0),
    }));
  }

  /** Free payload buffers kept for reuse (none once every connection has ended). */
  get retainedBufferBytes(): number {
    return this.ctx.bufferPool.retainedBytes;
  }

  get connectionCount(): number {
    return [...this.connections].filter((c) => !c.handedOff).length + (this.processes?.connectionCount ?? 0);
  }

  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.server = server;
        this.processes?.start();
        const address = server.address() as AddressInfo;
        this.logger.info({ port: address.port, host }, 'nbd server listening');
        resolve(address);
      });
    });
  }

  /** Listens on a Unix socket path (nbd+unix://). */
  listenUnix(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        this.server = server;
        this.processes?.start();
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    await Promise.all([...this.connections].map((c) => this.closeConnection(c)));
    await this.processes?.close();
    await closed;
  }

  /** Lets requests in flight finish (bounded, so a stuck backend cannot hold a shutdown), then closes. */
  private async closeConnection(conn: Connection): Promise<void> {
    if (conn.transmission) await drainWithin(conn.transmission, this.clock, this.options.drainTimeoutMs ?? 30_000);
    conn.socket.destroy();
  }

  /**
   * Serves a connection that arrives already encrypted and authenticated as `identity` (NBD upgraded from an
   * HTTPS request on another listener): it counts as TLS, so a TLS-only server needs no STARTTLS on it, and
   * `identity` is what `authorize` sees.
   */
  acceptSecured(socket: Socket, identity: string): void {
    this.accept(socket, { identity });
  }

  private accept(socket: Socket, secured?: { identity: string }): void {
    socket.setNoDelay(true);
    const peer = `${socket.remoteAddress ?? 'unix'}:${socket.remotePort ?? 0}`;
    const conn: Connection = { socket, peer, exportName: null, transmission: null, handedOff: false };
    this.connections.add(conn);
    // A socket error also ends serve() below (which logs it); this listener only keeps it from being unhandled.
    socket.on('error', () => undefined);
    socket.once('close', () => this.connections.delete(conn));
    this.serving += 1;
    this.serve(conn, secured)
      .then(
        () => conn.socket.destroy(),
        (error: unknown) => {
          this.logger[isExpectedClose(error) ? 'debug' : 'warn'](
            { peer, exportName: conn.exportName, err: (error as Error).message },
            'nbd connection closed',
          );
          conn.socket.destroy();
        },
      )
      .finally(() => {
        // Idle, the server keeps no payload buffers: a burst of 64 MiB in flight would otherwise stay resident.
        if (--this.serving === 0) this.ctx.bufferPool.clear();
      });
  }

  private async serve(conn: Connection, secured: { identity: string } | undefined): Promise<void> {
    const reader = new StreamReader();
    reader.attach(conn.socket);
    const handshake = new ServerHandshake(conn.socket, reader, this.ctx, conn.peer, secured);
    const abort = new AbortController();
    const timeoutMs = this.options.handshakeTimeoutMs ?? 30_000;
    const timeout = this.clock.sleep(timeoutMs, abort.signal).then(
      () => reader.fail(new NbdError('timeout', 'handshake timed out')),
      () => undefined,
    );
    let negotiated;
    try {
      negotiated = await handshake.run();
    } finally {
      abort.abort();
      await timeout;
    }
    // The export may have been removed while this client negotiated.
    if (!this.exportsByName.has(negotiated.export.name)) throw new HandshakeClosed('export removed');
    conn.exportName = negotiated.export.name;
    this.logger.debug(
      { peer: conn.peer, exportName: conn.exportName, structured: negotiated.structured },
      'nbd client entered transmission',
    );
    if (
      this.processes &&
      !secured &&
      negotiated.stream === conn.socket &&
      negotiated.export.backend instanceof FileBackend
    )
      return this.handOff(this.processes, conn, reader, negotiated, negotiated.export.backend);
    negotiated.stream.write(negotiated.finalReply);
    conn.transmission = new ServerTransmission(negotiated.stream, reader, negotiated, this.ctx);
    await runTransmission(conn.transmission, negotiated.stream);
  }

  /**
   * Moves a negotiated plain connection to a connection process before its final handshake reply is sent:
   * the client sends nothing until that reply arrives, so no request bytes are in flight during the move.
   */
  private async handOff(
    processes: ConnectionProcesses,
    conn: Connection,
    reader: StreamReader,
    negotiated: Negotiated,
    backend: FileBackend,
  ): Promise<void> {
    const socket = conn.socket;
    reader.detach();
    const leftover = [reader.takeBuffered()];
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null)
      leftover.push(chunk);
    stopReading(socket);
    // Replies still queued here would be lost with the handle.
    if (socket.writableLength > 0)
      await new Promise<void>((resolve) => socket.once('drain', resolve).once('close', resolve));
    const exp = negotiated.export;
    await processes.handOff(socket, {
      exportName: exp.name,
      path: backend.path,
      readOnly: backend.readOnly,
      description: exp.description,
      multiConn: exp.multiConn,
      structured: negotiated.structured,
      allocationContext: negotiated.allocationContext,
      finalReply: negotiated.finalReply,
      leftover: Buffer.concat(leftover),
    });
    conn.handedOff = true;
    this.logger.debug({ peer: conn.peer, exportName: exp.name }, 'nbd connection moved to a connection process');
  }
}
