import { systemClock } from '@migratekit/core';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Extent, NbdBackend } from './nbd-backend';
import { ClientHandshake } from './nbd-client-handshake';
import { connectOptionsFromUri } from './nbd-client-uri';
import type { BlockSizes, NbdClientOptions, NbdExportInfo, NegotiatedExport } from './nbd-client-types';
import { encodeRequest } from './nbd-codec';
import { CMD, CMD_FLAG, REQUEST_HEADER_SIZE, TFLAG } from './nbd-constants';
import { DirectInput, openSocket, readsDirectly } from './nbd-client-socket';
import { NbdError } from './nbd-error';
import { ReplyParser, type PendingRequest } from './nbd-client-reply-parser';
import { StreamReader } from './stream-reader';
import { RequestWriter } from './request-writer';
import { readTlsIntoCallerBuffers } from './tls-direct-read';

const ZERO_SPLIT = 1024 * 1024 * 1024;

interface Connection {
  socket: Socket;
  /** The socket, or the TLS stream over it. */
  stream: Duplex;
  /** Reads the handshake; the reply parser takes over after it. */
  reader: StreamReader;
  info: NegotiatedExport;
  direct: DirectInput | null;
  writer: RequestWriter;
}

/**
 * An NBD client connection: requests are pipelined (up to `window` in flight), replies may arrive in any
 * order. It implements NbdBackend, so the copy engine and the server can use it like any other disk.
 */
export class NbdClient implements NbdBackend {
  private cookie = 0;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly slotWaiters: Array<() => void> = [];
  private closed = false;
  private failure: NbdError | null = null;
  /** Replies land in the requests' buffers as they are read (or decrypted), not via 'data' chunks. */
  private directReads = false;
  /** Request headers of answered requests, reused: nothing is allocated per request for them. */
  private readonly headers: Buffer[] = [];

  private constructor(
    private readonly options: NbdClientOptions,
    private connection: Connection,
  ) {
    this.startReplyLoop();
  }

  private get socket(): Socket {
    return this.connection.socket;
  }
  private get stream(): Duplex {
    return this.connection.stream;
  }
  private get info(): NegotiatedExport {
    return this.connection.info;
  }

  static async connect(target: string | NbdClientOptions, extra: Partial<NbdClientOptions> = {}): Promise<NbdClient> {
    const options = typeof target === 'string' ? { ...(await connectOptionsFromUri(target)), ...extra } : target;
    return new NbdClient(options, await NbdClient.open(options));
  }

  /** Lists the exports a server offers to this client. */
  static async list(target: string | NbdClientOptions): Promise<NbdExportInfo[]> {
    const options = typeof target === 'string' ? await connectOptionsFromUri(target) : target;
    const socket = await openSocket(options);
    const reader = new StreamReader();
    reader.attach(socket);
    try {
      return await new ClientHandshake(socket, reader, options).list();
    } finally {
      socket.destroy();
    }
  }

  private static async open(options: NbdClientOptions): Promise<Connection> {
    const reader = new StreamReader(64 * 1024 * 1024);
    const direct = readsDirectly(options) ? new DirectInput(reader) : null;
    const socket = await openSocket(options, direct);
    reader.attach(socket);
    try {
      const handshake = new ClientHandshake(socket, reader, options);
      const info = await handshake.go(options.exportName ?? '');
      const stream = handshake.currentStream;
      return { socket, stream, reader, info, direct, writer: new RequestWriter(stream) };
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /** Drops the connection (failing what is in flight) and negotiates a new one with the same options. */
  async reconnect(): Promise<void> {
    this.fail(new NbdError('connection', 'reconnecting'));
    this.socket.destroy();
    const connection = await NbdClient.open(this.options);
    if (connection.info.size !== this.info.size) {
      connection.socket.destroy();
      throw new NbdError('negotiation', 'export size changed across reconnect');
    }
    Object.assign(this, { connection, closed: false, failure: null });
    this.startReplyLoop();
  }

  get size(): number {
    return this.info.size;
  }
  get flags(): number {
    return this.info.flags;
  }
  get readOnly(): boolean {
    return (this.info.flags & TFLAG.READ_ONLY) !== 0;
  }
  get canFlush(): boolean {
    return (this.info.flags & TFLAG.SEND_FLUSH) !== 0;
  }
  get canFua(): boolean {
    return (this.info.flags & TFLAG.SEND_FUA) !== 0;
  }
  get canTrim(): boolean {
    return (this.info.flags & TFLAG.SEND_TRIM) !== 0;
  }
  get canWriteZeroes(): boolean {
    return (this.info.flags & TFLAG.SEND_WRITE_ZEROES) !== 0;
  }
  get canFastZero(): boolean {
    return (this.info.flags & TFLAG.SEND_FAST_ZERO) !== 0;
  }
  get canMultiConn(): boolean {
    return (this.info.flags & TFLAG.CAN_MULTI_CONN) !== 0;
  }
  get canDf(): boolean {
    return (this.info.flags & TFLAG.SEND_DF) !== 0;
  }
  get canBlockStatus(): boolean {
    return this.info.allocationContext !== null;
  }
  get structuredReplies(): boolean {
    return this.info.structured;
  }
  get tls(): boolean {
    return this.info.tls;
  }
  /** True when replies are read straight into request buffers (plain sockets, and TLS where Node allows it). */
  get readsIntoRequestBuffers(): boolean {
    return this.directReads;
  }
  /** True when, over TLS, large WRITE payloads leave as their own writes instead of being copied into a joined one. */
  get writesLargePayloadsUnjoined(): boolean {
    return this.connection.writer.separatesPayloads;
  }
  get blockSizes(): BlockSizes {
    return this.info.blockSizes;
  }
  get maxRequest(): number {
    return Math.min(this.info.blockSizes.maximum, 32 * 1024 * 1024);
  }
  get inFlight(): number {
    return this.pending.size;
  }

  /** Hands the connection from the handshake's reader to the reply parser (with any bytes already read). */
  private startReplyLoop(): void {
    const connection = this.connection;
    const { stream, reader, direct } = connection;
    // Events of a connection replaced by reconnect() must not fail the new one.
    const fail = (error: NbdError): void => {
      if (this.connection === connection) this.fail(error);
    };
    const parser = new ReplyParser(this.pending, this.info, fail);
    reader.detach();
    for (const chunk of reader.drain()) parser.feed(chunk);
    const closed = (): void => fail(new NbdError('connection', 'connection closed by peer'));
    stream.on('end', closed);
    stream.on('close', closed);
    stream.on('error', (error) => fail(new NbdError('connection', error.message, { cause: error })));
    // A failed connection is destroyed at once (fail()), so no read can land in a request buffer after it.
    this.directReads =
      direct !== null || readTlsIntoCallerBuffers(stream, parser.nextReadBuffer, parser.onRead) !== null;
    if (direct) direct.parser = parser;
    else if (!this.directReads) stream.on('data', (chunk: Buffer) => parser.feed(chunk));
    stream.resume();
  }

  private fail(error: NbdError): void {
    if (!this.failure) this.failure = error;
    this.closed = true;
    for (const req of this.pending.values()) req.reject(error);
    this.pending.clear();
    this.socket.destroy();
    for (const wake of this.slotWaiters.splice(0)) wake();
  }

  private async acquire(): Promise<void> {
    const window = this.options.window ?? 64;
    while (this.pending.size >= window && !this.closed) await new Promise<void>((r) => this.slotWaiters.push(r));
  }

  private release(): void {
    this.slotWaiters.shift()?.();
  }

  private async request<T>(
    type: number,
    flags: number,
    offset: number,
    length: number,
    payload: Buffer | null,
    extra: Partial<PendingRequest> = {},
  ): Promise<T> {
    await this.acquire();
    if (this.closed || this.failure) throw this.failure ?? new NbdError('connection', 'client closed');
    const cookie = ++this.cookie;
    const timeoutMs = this.options.requestTimeoutMs;
    const abort = timeoutMs ? new AbortController() : null;
    const result = new Promise<T>((resolve, reject) => {
      this.pending.set(cookie, {
        type,
        offset,
        length,
        resolve: resolve as (value: unknown) => void,
        reject,
        data: null,
        extents: null,
        error: null,
        ...extra,
      });
    });
    if (abort && timeoutMs) {
      (this.options.clock ?? systemClock).sleep(timeoutMs, abort.signal).then(
        () => this.fail(new NbdError('timeout', `NBD request not answered in ${timeoutMs} ms`)),
        () => undefined,
      );
    }
    const header = encodeRequest(flags, type, cookie, offset, length, this.headers.pop());
    this.connection.writer.send(header, payload);
    try {
      const value = await result;
      // Answered, so the server has read the header: the socket no longer holds it.
      if (this.headers.length < 256 && header.length === REQUEST_HEADER_SIZE) this.headers.push(header);
      return value;
    } finally {
      abort?.abort();
      this.release();
    }
  }

  async read(offset: number, length: number, options: { df?: boolean } = {}): Promise<Buffer> {
    if (length > this.maxRequest) {
      const parts: Array<Promise<Buffer>> = [];
      for (let at = 0; at < length; at += this.maxRequest)
        parts.push(this.read(offset + at, Math.min(this.maxRequest, length - at), options));
      return Buffer.concat(await Promise.all(parts));
    }
    const flags = options.df && this.canDf ? CMD_FLAG.DF : 0;
    return this.request<Buffer>(CMD.READ, flags, offset, length, null);
  }

  /** READ into the caller's buffer (`target.length` bytes): no per-request allocation. */
  async readInto(offset: number, target: Buffer): Promise<void> {
    if (target.length > this.maxRequest) {
      const parts: Array<Promise<void>> = [];
      for (let at = 0; at < target.length; at += this.maxRequest)
        parts.push(this.readInto(offset + at, target.subarray(at, Math.min(target.length, at + this.maxRequest))));
      await Promise.all(parts);
      return;
    }
    await this.request<Buffer>(CMD.READ, 0, offset, target.length, null, { target });
  }

  async write(offset: number, data: Buffer, options: { fua?: boolean } = {}): Promise<void> {
    if (data.length > this.maxRequest) {
      const parts: Array<Promise<void>> = [];
      for (let at = 0; at < data.length; at += this.maxRequest)
        parts.push(this.write(offset + at, data.subarray(at, at + this.maxRequest), options));
      await Promise.all(parts);
      return;
    }
    const flags = options.fua && this.canFua ? CMD_FLAG.FUA : 0;
    await this.request<void>(CMD.WRITE, flags, offset, data.length, data);
  }

  async writeZeroes(
    offset: number,
    length: number,
    options: { fua?: boolean; noHole?: boolean; fastZero?: boolean } = {},
  ): Promise<void> {
    if (!this.canWriteZeroes) throw NbdError.request('ENOTSUP', 'server does not support WRITE_ZEROES');
    if (options.fastZero && !this.canFastZero) throw NbdError.request('ENOTSUP', 'server does not support FAST_ZERO');
    let flags = 0;
    if (options.fua && this.canFua) flags |= CMD_FLAG.FUA;
    if (options.noHole) flags |= CMD_FLAG.NO_HOLE;
    if (options.fastZero) flags |= CMD_FLAG.FAST_ZERO;
    const parts: Array<Promise<void>> = [];
    for (let at = 0; at < length; at += ZERO_SPLIT)
      parts.push(this.request<void>(CMD.WRITE_ZEROES, flags, offset + at, Math.min(ZERO_SPLIT, length - at), null));
    await Promise.all(parts);
  }

  async trim(offset: number, length: number): Promise<void> {
    if (!this.canTrim) throw NbdError.request('ENOTSUP', 'server does not support TRIM');
    for (let at = 0; at < length; at += ZERO_SPLIT)
      await this.request<void>(CMD.TRIM, 0, offset + at, Math.min(ZERO_SPLIT, length - at), null);
  }

  async flush(): Promise<void> {
    if (!this.canFlush) return;
    await this.request<void>(CMD.FLUSH, 0, 0, 0, null);
  }

  /**
   * base:allocation extents starting at `offset`, as the server reports them (one reply; may cover less
   * than `length`). Without the context the whole range is reported as data.
   */
  async blockStatus(offset: number, length: number): Promise<Extent[]> {
    const capped = Math.min(length, 0xffffffff - 4095, this.size - offset);
    if (!this.canBlockStatus) return [{ offset, length: capped, hole: false, zero: false }];
    return this.request<Extent[]>(CMD.BLOCK_STATUS, 0, offset, capped, null);
  }

  /** Drops the connection at once: requests in flight fail (a cancelled copy does not wait for them). */
  destroy(): void {
    this.fail(new NbdError('connection', 'client destroyed'));
  }

  /** Waits for requests in flight, sends DISC and closes. */
  async close(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) await new Promise<void>((r) => this.slotWaiters.push(r));
    const stream = this.stream;
    if (this.closed || stream.destroyed || !stream.writable) {
      this.closed = true;
      this.socket.destroy();
      return;
    }
    this.closed = true;
    if (!this.failure) this.failure = new NbdError('connection', 'client closed');
    await new Promise<void>((resolve) => {
      stream.once('error', () => resolve());
      stream.once('close', () => resolve());
      stream.end(encodeRequest(0, CMD.DISC, 0, 0, 0), () => resolve());
    });
    this.socket.destroy();
  }
}
