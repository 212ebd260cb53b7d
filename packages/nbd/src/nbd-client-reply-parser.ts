import type { Extent } from './nbd-backend';
import type { NegotiatedExport } from './nbd-client-types';
import { readU64 } from './nbd-codec';
import {
  CMD,
  REPLY_FLAG_DONE,
  REPLY_TYPE,
  SIMPLE_REPLY_MAGIC,
  STATE_HOLE,
  STATE_ZERO,
  STRUCTURED_REPLY_MAGIC,
} from './nbd-constants';
import { NbdError, errnoName } from './nbd-error';
import { DIRECT_READ_MIN } from './tls-direct-read';

export interface PendingRequest {
  type: number;
  offset: number;
  length: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** READ data: the caller's buffer (readInto) or one allocated for this request. */
  data: Buffer | null;
  /** Caller's buffer for READ data (readInto); replies land straight in it. */
  target?: Buffer | undefined;
  extents: Extent[] | null;
  error: NbdError | null;
}

const MAX_CHUNK = 64 * 1024 * 1024;
const SIMPLE_HEADER = 16;
const STRUCTURED_HEADER = 20;
/** A structured header plus the 8-byte offset that starts an OFFSET_DATA payload. */
const OFFSET_DATA_HEADER = 28;
const SCRATCH_BYTES = 256 * 1024;

/**
 * Push-mode parser of transmission replies: it is handed the bytes as they arrive and copies READ payloads
 * into their request's buffer at once, so nothing waits in socket chunks and nothing is reassembled. It also
 * tells the socket where to read next (`onread` on plain TCP; tls-direct-read.ts on TLS): a large payload lands
 * directly in the request's buffer (read by the kernel, or decrypted by TLS), everything else in one reused
 * scratch buffer.
 */
export class ReplyParser {
  private readonly head = Buffer.alloc(OFFSET_DATA_HEADER);
  private headFilled = 0;
  private headNeed = SIMPLE_HEADER;
  private sink: Buffer | null = null;
  private sinkAt = 0;
  private sinkDone: (() => void) | null = null;
  private handedSink = false;
  private scratch: Buffer | null = null;
  private failed = false;

  constructor(
    private readonly pending: Map<number, PendingRequest>,
    private readonly info: NegotiatedExport,
    private readonly onError: (error: NbdError) => void,
  ) {}

  /** Consumes bytes from the wire; they are copied out, so the caller may reuse `chunk`. */
  feed(chunk: Buffer): void {
    let at = 0;
    try {
      while (at < chunk.length && !this.failed) {
        if (this.sink) {
          const n = Math.min(chunk.length - at, this.sink.length - this.sinkAt);
          chunk.copy(this.sink, this.sinkAt, at, at + n);
          at += n;
          this.advanceSink(n);
        } else {
          const n = Math.min(chunk.length - at, this.headNeed - this.headFilled);
          chunk.copy(this.head, this.headFilled, at, at + n);
          at += n;
          this.headFilled += n;
          if (this.headFilled === this.headNeed) this.header();
        }
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** `onread.buffer`: where the socket's next read lands. */
  readonly nextReadBuffer = (): Buffer => {
    const sink = this.sink;
    this.handedSink = sink !== null && sink.length - this.sinkAt >= DIRECT_READ_MIN;
    if (sink && this.handedSink) return sink.subarray(this.sinkAt);
    this.scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    return this.scratch;
  };

  /** `onread.callback`: `nread` bytes arrived in the buffer nextReadBuffer() handed out. */
  readonly onRead = (nread: number, buffer: Uint8Array): boolean => {
    if (!this.handedSink) this.feed(Buffer.from(buffer.buffer, buffer.byteOffset, nread));
    else {
      try {
        this.advanceSink(nread);
      } catch (error) {
        this.fail(error);
      }
    }
    return true;
  };

  private fail(error: unknown): void {
    this.failed = true;
    this.onError(error instanceof NbdError ? error : new NbdError('protocol', String(error), { cause: error }));
  }

  private advanceSink(n: number): void {
    this.sinkAt += n;
    if (this.sink && this.sinkAt === this.sink.length) {
      const done = this.sinkDone;
      this.sink = null;
      this.sinkDone = null;
      done?.();
    }
  }

  /** The next bytes (`length` of them) go into `into`; `done` runs when it is full. */
  private expect(into: Buffer, done: () => void): void {
    this.resetHeader();
    if (into.length === 0) return done();
    this.sink = into;
    this.sinkAt = 0;
    this.sinkDone = done;
  }

  private resetHeader(): void {
    this.headFilled = 0;
    this.headNeed = SIMPLE_HEADER;
  }

  private header(): void {
    if (this.headNeed === OFFSET_DATA_HEADER) return this.offsetData();
    if (this.headNeed === STRUCTURED_HEADER) return this.structured();
    const magic = this.head.readUInt32BE(0);
    if (magic === SIMPLE_REPLY_MAGIC) return this.simple();
    if (magic === STRUCTURED_REPLY_MAGIC && this.info.structured) {
      this.headNeed = STRUCTURED_HEADER;
      return;
    }
    throw new NbdError('protocol', `bad reply magic 0x${magic.toString(16)}`);
  }

  private take(): { cookie: number; req: PendingRequest } {
    const cookie = readU64(this.head, 8);
    const req = this.pending.get(cookie);
    if (!req) throw new NbdError('protocol', `reply for unknown cookie ${cookie}`);
    return { cookie, req };
  }

  private simple(): void {
    const error = this.head.readUInt32BE(4);
    const { cookie, req } = this.take();
    this.pending.delete(cookie);
    this.resetHeader();
    if (error !== 0) return req.reject(NbdError.request(errnoName(error)));
    if (req.type === CMD.READ) {
      const data = req.target ?? Buffer.allocUnsafe(req.length);
      return this.expect(data, () => req.resolve(data));
    }
    if (req.type === CMD.BLOCK_STATUS) return req.reject(new NbdError('protocol', 'simple reply to BLOCK_STATUS'));
    req.resolve(undefined);
  }

  private structured(): void {
    const flags = this.head.readUInt16BE(4);
    const type = this.head.readUInt16BE(6);
    const { cookie, req } = this.take();
    const length = this.head.readUInt32BE(16);
    if (length > MAX_CHUNK) throw new NbdError('protocol', 'structured chunk too large');
    const done = (): void => {
      if (!(flags & REPLY_FLAG_DONE)) return;
      this.pending.delete(cookie);
      finish(req);
    };
    if (type === REPLY_TYPE.OFFSET_DATA && req.type === CMD.READ && length >= 8) {
      this.headNeed = OFFSET_DATA_HEADER;
      return;
    }
    const payload = Buffer.allocUnsafe(length);
    this.expect(payload, () => {
      chunk(req, type, payload, this.info.allocationContext);
      done();
    });
  }

  /** OFFSET_DATA for a READ: the data goes straight into the request's buffer at its offset. */
  private offsetData(): void {
    const flags = this.head.readUInt16BE(4);
    const { cookie, req } = this.take();
    const n = this.head.readUInt32BE(16) - 8;
    const at = readU64(this.head, 20) - req.offset;
    if (at < 0 || at + n > req.length) throw new NbdError('protocol', 'OFFSET_DATA outside the request');
    // Several chunks may fill one request, so a buffer of our own starts zeroed; one chunk for all needs no fill.
    req.data ??=
      req.target ?? (at === 0 && n === req.length ? Buffer.allocUnsafe(req.length) : Buffer.alloc(req.length));
    this.expect(req.data.subarray(at, at + n), () => {
      if (!(flags & REPLY_FLAG_DONE)) return;
      this.pending.delete(cookie);
      finish(req);
    });
  }
}

/** Applies one structured chunk other than OFFSET_DATA to its request. */
function chunk(req: PendingRequest, type: number, payload: Buffer, allocationContext: number | null): void {
  switch (type) {
    case REPLY_TYPE.NONE:
      return;
    case REPLY_TYPE.OFFSET_DATA:
      throw new NbdError('protocol', 'bad OFFSET_DATA chunk');
    case REPLY_TYPE.OFFSET_HOLE: {
      if (req.type !== CMD.READ || payload.length !== 12) throw new NbdError('protocol', 'bad OFFSET_HOLE chunk');
      const at = readU64(payload, 0) - req.offset;
      const n = payload.readUInt32BE(8);
      if (at < 0 || at + n > req.length) throw new NbdError('protocol', 'OFFSET_HOLE outside the request');
      if (!req.data && !req.target) req.data = Buffer.alloc(req.length);
      else {
        req.data ??= req.target as Buffer;
        req.data.fill(0, at, at + n);
      }
      return;
    }
    case REPLY_TYPE.BLOCK_STATUS:
      if (req.type !== CMD.BLOCK_STATUS || payload.length < 12 || (payload.length - 4) % 8 !== 0)
        throw new NbdError('protocol', 'bad BLOCK_STATUS chunk');
      if (payload.readUInt32BE(0) === allocationContext) req.extents = extentsOf(req.offset, payload);
      return;
    default:
      if (type & 0x8000) {
        const errno = payload.length >= 4 ? errnoName(payload.readUInt32BE(0)) : 'EINVAL';
        const msgLength = payload.length >= 6 ? payload.readUInt16BE(4) : 0;
        const message = payload.toString('utf8', 6, Math.min(payload.length, 6 + msgLength));
        req.error ??= NbdError.request(errno, message ? `NBD request failed: ${errno}: ${message}` : undefined);
        return;
      }
      throw new NbdError('protocol', `unknown structured reply type ${type}`);
  }
}

function extentsOf(offset: number, payload: Buffer): Extent[] {
  const extents: Extent[] = [];
  let at = offset;
  for (let i = 4; i < payload.length; i += 8) {
    const length = payload.readUInt32BE(i);
    const state = payload.readUInt32BE(i + 4);
    if (length === 0) throw new NbdError('protocol', 'zero-length extent');
    extents.push({ offset: at, length, hole: (state & STATE_HOLE) !== 0, zero: (state & STATE_ZERO) !== 0 });
    at += length;
  }
  return extents;
}

function finish(req: PendingRequest): void {
  if (req.error) return req.reject(req.error);
  if (req.type === CMD.READ) {
    if (!req.data && req.length > 0) return req.reject(new NbdError('protocol', 'READ reply carried no data'));
    return req.resolve(req.data ?? Buffer.alloc(0));
  }
  if (req.type === CMD.BLOCK_STATUS) {
    if (!req.extents) return req.reject(new NbdError('protocol', 'BLOCK_STATUS reply without extents'));
    return req.resolve(req.extents);
  }
  req.resolve(undefined);
}
