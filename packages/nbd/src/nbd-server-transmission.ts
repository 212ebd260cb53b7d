import type { Duplex } from 'node:stream';
import type { Clock } from '@migratekit/core';
import { decodeRequest, encodeChunkHeader, encodeSimpleReply, writeU64, type RequestHeader } from './nbd-codec';
import {
  CMD,
  CMD_FLAG,
  REPLY_FLAG_DONE,
  REPLY_TYPE,
  REQUEST_HEADER_SIZE,
  STATE_HOLE,
  STATE_ZERO,
} from './nbd-constants';
import { NBD_ERRNO, NbdError, errnoFromSystem, type NbdErrnoName } from './nbd-error';
import { HandshakeClosed, type Negotiated } from './nbd-server-handshake';
import type { ServerContext } from './nbd-server-types';
import type { StreamReader } from './stream-reader';
import { corkForThisTick } from './tick-cork';
import { isZero } from './zero-detect';

const ALLOWED_FLAGS: Record<number, number> = {
  [CMD.READ]: CMD_FLAG.DF,
  [CMD.WRITE]: CMD_FLAG.FUA,
  [CMD.DISC]: 0,
  [CMD.FLUSH]: 0,
  [CMD.TRIM]: CMD_FLAG.FUA,
  [CMD.CACHE]: 0,
  [CMD.WRITE_ZEROES]: CMD_FLAG.FUA | CMD_FLAG.NO_HOLE | CMD_FLAG.FAST_ZERO,
  [CMD.BLOCK_STATUS]: CMD_FLAG.REQ_ONE,
};
const MAX_EXTENTS = 1 << 20;
/** Payloads from this size up are read into (and replies sent from) pooled buffers. */
const POOLED_PAYLOAD = 64 * 1024;
const U32_MAX = 0xffffffff;

/** What a transmission needs from its server (in the server's process or in a connection process). */
export type TransmissionContext = Pick<
  ServerContext,
  'maxPayload' | 'maxInFlight' | 'maxQueuedReplyBytes' | 'bufferPool'
>;

/** A peer hanging up or an export removed: logged at debug level, not as a warning. */
export function isExpectedClose(error: unknown): boolean {
  return error instanceof HandshakeClosed || (error instanceof NbdError && error.kind === 'connection');
}

/** Serves a negotiated connection to its end, then ends the stream once every reply has left. */
export async function runTransmission(transmission: ServerTransmission, stream: Duplex): Promise<void> {
  await transmission.run();
  await new Promise<void>((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.once('drain', resolve).once('close', resolve);
  });
  stream.end();
}

/** Lets requests in flight finish, bounded so that a stuck backend cannot hold a shutdown. */
export async function drainWithin(transmission: ServerTransmission, clock: Clock, timeoutMs: number): Promise<void> {
  const abort = new AbortController();
  // The sleep rejects when aborted below, once the drain won the race; nothing else is expected.
  const limit = clock.sleep(timeoutMs, abort.signal).catch((error: unknown) => {
    if (!abort.signal.aborted) throw error;
  });
  await Promise.race([transmission.drain(), limit]);
  abort.abort();
}

/** Serves requests of one negotiated connection until DISC, a protocol error, or close(). */
export class ServerTransmission {
  private inFlight = 0;
  private closing = false;
  private slotWaiter: (() => void) | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly stream: Duplex,
    private readonly reader: StreamReader,
    private readonly state: Negotiated,
    private readonly ctx: TransmissionContext,
  ) {}

  /** Stops accepting requests; resolves when every request in flight has been answered. */
  async drain(): Promise<void> {
    this.closing = true;
    this.reader.fail(new NbdError('connection', 'export removed'));
    this.slotWaiter?.();
    await this.drainInFlight();
  }

  async run(): Promise<void> {
    // Over TLS, WRITE payloads are then decrypted straight into their pooled buffers (tls-direct-read.ts).
    this.reader.readDirectly();
    try {
      await this.loop();
    } finally {
      await this.drainInFlight();
    }
  }

  private async loop(): Promise<void> {
    for (;;) {
      await this.waitForCapacity();
      if (this.closing) break;
      const raw = this.reader.tryRead(REQUEST_HEADER_SIZE) ?? (await this.reader.read(REQUEST_HEADER_SIZE));
      const req = decodeRequest(raw);
      if (!req) throw new NbdError('protocol', 'bad request magic');
      if (req.type === CMD.DISC) break;
      let payload: Buffer | null = null;
      if (req.type === CMD.WRITE) {
        if (req.length > this.ctx.maxPayload) {
          await this.discard(req.length);
          this.replyError(req, 'EINVAL');
          continue;
        }
        payload = await this.readPayload(req.length);
      }
      this.inFlight += 1;
      const pooled = payload !== null && payload.length >= POOLED_PAYLOAD ? payload : null;
      this.handle(req, payload)
        .catch((error: unknown) => this.replyError(req, errnoFromSystem(error)))
        .finally(() => {
          // The backend has finished with the payload once its write settled.
          if (pooled) this.ctx.bufferPool.release(pooled);
          this.release();
        });
    }
  }

  /** Large WRITE payloads land in a reused buffer instead of a fresh one assembled from socket chunks. */
  private async readPayload(length: number): Promise<Buffer> {
    if (length < POOLED_PAYLOAD) return this.reader.tryRead(length) ?? (await this.reader.read(length));
    const buffer = this.ctx.bufferPool.get(length);
    try {
      await this.reader.readInto(buffer);
    } catch (error) {
      this.ctx.bufferPool.release(buffer);
      throw error;
    }
    return buffer;
  }

  private release(): void {
    this.inFlight -= 1;
    const slot = this.slotWaiter;
    this.slotWaiter = null;
    slot?.();
    if (this.inFlight === 0) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of idle) resolve();
    }
  }

  private async drainInFlight(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Backpressure: no new request is read while too many are running or too many reply bytes are unsent. */
  private async waitForCapacity(): Promise<void> {
    while (!this.closing) {
      if (this.inFlight >= this.ctx.maxInFlight) {
        await new Promise<void>((resolve) => (this.slotWaiter = resolve));
        continue;
      }
      if (this.stream.writableLength > this.ctx.maxQueuedReplyBytes && !this.stream.destroyed) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.stream.off('drain', done);
            this.stream.off('close', done);
            resolve();
          };
          this.stream.on('drain', done);
          this.stream.on('close', done);
        });
        if (this.stream.destroyed) throw new NbdError('connection', 'connection closed');
        continue;
      }
      return;
    }
  }

  private async discard(length: number): Promise<void> {
    for (let left = length; left > 0;) {
      const n = Math.min(left, 1024 * 1024);
      await this.reader.read(n);
      left -= n;
    }
  }

  /** Replies finished in the same tick leave in one writev (tick-cork.ts). */
  private write(header: Buffer, data?: Buffer, written?: () => void): void {
    if (this.stream.destroyed) {
      written?.();
      return;
    }
    corkForThisTick(this.stream);
    this.stream.write(header);
    // The pooled buffer goes back only once the socket no longer references it.
    if (data) this.stream.write(data, written ? () => written() : undefined);
  }

  private replyOk(req: RequestHeader): void {
    this.write(encodeSimpleReply(0, req.cookie));
  }

  private replyError(req: RequestHeader, errno: NbdErrnoName): void {
    const value = NBD_ERRNO[errno];
    if (this.state.structured && req.type === CMD.READ) {
      const body = Buffer.alloc(6);
      body.writeUInt32BE(value, 0);
      this.write(encodeChunkHeader(REPLY_FLAG_DONE, REPLY_TYPE.ERROR, req.cookie, body.length), body);
    } else this.write(encodeSimpleReply(value, req.cookie));
  }

  private async handle(req: RequestHeader, payload: Buffer | null): Promise<void> {
    const backend = this.state.export.backend;
    const allowed = ALLOWED_FLAGS[req.type];
    if (allowed === undefined || (req.flags & ~allowed) !== 0) return this.replyError(req, 'EINVAL');
    if (req.flags & CMD_FLAG.DF && !this.state.structured) return this.replyError(req, 'EINVAL');
    const end = req.offset + req.length;
    const writing = req.type === CMD.WRITE || req.type === CMD.WRITE_ZEROES || req.type === CMD.TRIM;
    if (writing && (backend.readOnly || !backend.write)) return this.replyError(req, 'EPERM');
    if (end > backend.size) return this.replyError(req, writing && req.type !== CMD.TRIM ? 'ENOSPC' : 'EINVAL');
    const fua = (req.flags & CMD_FLAG.FUA) !== 0;
    switch (req.type) {
      case CMD.READ:
        return this.read(req);
      case CMD.WRITE:
        await backend.write?.(req.offset, payload ?? Buffer.alloc(0), { fua });
        return this.replyOk(req);
      case CMD.WRITE_ZEROES:
        return this.writeZeroes(req, fua);
      case CMD.TRIM:
        if (!backend.trim) return this.replyError(req, 'EINVAL');
        await backend.trim(req.offset, req.length);
        if (fua) await backend.flush?.();
        return this.replyOk(req);
      case CMD.FLUSH:
        await backend.flush?.();
        return this.replyOk(req);
      case CMD.CACHE:
        return this.replyOk(req);
      case CMD.BLOCK_STATUS:
        return this.blockStatus(req);
      default:
        return this.replyError(req, 'EINVAL');
    }
  }

  private async read(req: RequestHeader): Promise<void> {
    if (req.length > this.ctx.maxPayload) return this.replyError(req, this.state.structured ? 'EOVERFLOW' : 'EINVAL');
    const backend = this.state.export.backend;
    let data: Buffer;
    let release: (() => void) | undefined;
    if (backend.readInto && req.length >= POOLED_PAYLOAD) {
      const pooled = this.ctx.bufferPool.get(req.length);
      release = () => this.ctx.bufferPool.release(pooled);
      try {
        await backend.readInto(req.offset, pooled);
      } catch (error) {
        release();
        throw error;
      }
      data = pooled;
    } else data = await backend.read(req.offset, req.length);
    if (!this.state.structured) return this.write(encodeSimpleReply(0, req.cookie), data, release);
    const df = (req.flags & CMD_FLAG.DF) !== 0;
    if (!df && req.length >= 4096 && isZero(data)) {
      release?.();
      const hole = encodeChunkHeader(REPLY_FLAG_DONE, REPLY_TYPE.OFFSET_HOLE, req.cookie, 12, 12);
      writeU64(hole, req.offset, 20);
      hole.writeUInt32BE(req.length, 28);
      return this.write(hole);
    }
    // Chunk header and offset in one buffer: one fewer write per reply.
    const header = encodeChunkHeader(REPLY_FLAG_DONE, REPLY_TYPE.OFFSET_DATA, req.cookie, 8 + data.length, 8);
    writeU64(header, req.offset, 20);
    this.write(header, data, release);
  }

  private async writeZeroes(req: RequestHeader, fua: boolean): Promise<void> {
    const backend = this.state.export.backend;
    const noHole = (req.flags & CMD_FLAG.NO_HOLE) !== 0;
    const fastZero = (req.flags & CMD_FLAG.FAST_ZERO) !== 0;
    if (backend.writeZeroes) await backend.writeZeroes(req.offset, req.length, { fua, noHole, fastZero });
    else if (fastZero) return this.replyError(req, 'ENOTSUP');
    else {
      const chunk = Buffer.alloc(Math.min(req.length, 1024 * 1024));
      for (let at = req.offset; at < req.offset + req.length; at += chunk.length) {
        const n = Math.min(chunk.length, req.offset + req.length - at);
        await backend.write?.(at, chunk.subarray(0, n), { fua });
      }
    }
    this.replyOk(req);
  }

  private async blockStatus(req: RequestHeader): Promise<void> {
    const context = this.state.allocationContext;
    if (context === null || req.length === 0) return this.replyError(req, 'EINVAL');
    const backend = this.state.export.backend;
    const extents = backend.blockStatus
      ? await backend.blockStatus(req.offset, req.length)
      : [{ offset: req.offset, length: req.length, hole: false, zero: false }];
    const end = req.offset + req.length;
    const pairs: number[] = [];
    let at = req.offset;
    for (const e of extents) {
      if (at >= end || pairs.length / 2 >= MAX_EXTENTS) break;
      const stop = Math.min(e.offset + e.length, end);
      if (stop <= at) continue;
      const length = Math.min(stop - at, U32_MAX - (U32_MAX % 4096));
      pairs.push(length, (e.hole ? STATE_HOLE : 0) | (e.zero ? STATE_ZERO : 0));
      at += length;
      if (req.flags & CMD_FLAG.REQ_ONE) break;
    }
    if (pairs.length === 0) return this.replyError(req, 'EIO');
    const body = Buffer.allocUnsafe(4 + pairs.length * 4);
    body.writeUInt32BE(context, 0);
    pairs.forEach((v, i) => body.writeUInt32BE(v, 4 + i * 4));
    this.write(encodeChunkHeader(REPLY_FLAG_DONE, REPLY_TYPE.BLOCK_STATUS, req.cookie, body.length), body);
  }
}
