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
import type { StreamReader } from './stream-reader';

export interface PendingRequest {
  type: number;
  offset: number;
  length: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** READ reassembly buffer (structured replies may split data and holes into chunks). */
  data: Buffer | null;
  /** Caller's buffer for READ data (readInto); replies are copied straight into it. */
  target?: Buffer | undefined;
  extents: Extent[] | null;
  error: NbdError | null;
}

const MAX_CHUNK = 64 * 1024 * 1024;

/** Reads replies off the wire and settles the matching pending requests; throws on a protocol violation. */
export class ReplyReader {
  constructor(
    private readonly reader: StreamReader,
    private readonly pending: Map<number, PendingRequest>,
    private readonly info: NegotiatedExport,
  ) {}

  private async bytes(n: number): Promise<Buffer> {
    return this.reader.tryRead(n) ?? this.reader.read(n);
  }

  async run(): Promise<void> {
    for (;;) {
      const head = await this.bytes(16);
      const magic = head.readUInt32BE(0);
      if (magic === SIMPLE_REPLY_MAGIC) await this.simple(head);
      else if (magic === STRUCTURED_REPLY_MAGIC && this.info.structured) await this.structured(head);
      else throw new NbdError('protocol', `bad reply magic 0x${magic.toString(16)}`);
    }
  }

  private take(cookieBuf: Buffer, at: number): { cookie: number; req: PendingRequest } {
    const cookie = readU64(cookieBuf, at);
    const req = this.pending.get(cookie);
    if (!req) throw new NbdError('protocol', `reply for unknown cookie ${cookie}`);
    return { cookie, req };
  }

  private async simple(head: Buffer): Promise<void> {
    const error = head.readUInt32BE(4);
    const { cookie, req } = this.take(head, 8);
    this.pending.delete(cookie);
    if (error !== 0) {
      req.reject(NbdError.request(errnoName(error)));
      return;
    }
    if (req.type === CMD.READ && req.target) {
      await this.reader.readInto(req.target);
      req.resolve(req.target);
    } else if (req.type === CMD.READ) req.resolve(await this.bytes(req.length));
    else if (req.type === CMD.BLOCK_STATUS) req.reject(new NbdError('protocol', 'simple reply to BLOCK_STATUS'));
    else req.resolve(undefined);
  }

  private async structured(head: Buffer): Promise<void> {
    const flags = head.readUInt16BE(4);
    const type = head.readUInt16BE(6);
    const { cookie, req } = this.take(head, 8);
    const length = (await this.bytes(4)).readUInt32BE(0);
    if (length > MAX_CHUNK) throw new NbdError('protocol', 'structured chunk too large');
    if (type === REPLY_TYPE.OFFSET_DATA && req.target && req.type === CMD.READ && length >= 8) {
      await this.dataInto(req, req.target, length - 8);
    } else {
      const payload = await this.bytes(length);
      this.chunk(req, type, payload);
    }
    if (flags & REPLY_FLAG_DONE) {
      this.pending.delete(cookie);
      this.finish(req);
    }
  }

  /** OFFSET_DATA for a readInto request: the data goes from the socket chunks into the caller's buffer. */
  private async dataInto(req: PendingRequest, target: Buffer, n: number): Promise<void> {
    const at = readU64(await this.bytes(8), 0) - req.offset;
    if (at < 0 || at + n > req.length) throw new NbdError('protocol', 'OFFSET_DATA outside the request');
    await this.reader.readInto(target.subarray(at, at + n));
    req.data = target;
  }

  private chunk(req: PendingRequest, type: number, payload: Buffer): void {
    switch (type) {
      case REPLY_TYPE.NONE:
        return;
      case REPLY_TYPE.OFFSET_DATA: {
        if (req.type !== CMD.READ || payload.length < 8) throw new NbdError('protocol', 'bad OFFSET_DATA chunk');
        const at = readU64(payload, 0) - req.offset;
        const n = payload.length - 8;
        if (at < 0 || at + n > req.length) throw new NbdError('protocol', 'OFFSET_DATA outside the request');
        // The common case: one chunk carrying the whole range needs no copy.
        if (at === 0 && n === req.length && !req.data) req.data = payload.subarray(8);
        else {
          req.data ??= Buffer.alloc(req.length);
          payload.copy(req.data, at, 8);
        }
        return;
      }
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
      case REPLY_TYPE.BLOCK_STATUS: {
        if (req.type !== CMD.BLOCK_STATUS || payload.length < 12 || (payload.length - 4) % 8 !== 0)
          throw new NbdError('protocol', 'bad BLOCK_STATUS chunk');
        if (payload.readUInt32BE(0) !== this.info.allocationContext) return;
        const extents: Extent[] = [];
        let at = req.offset;
        for (let i = 4; i < payload.length; i += 8) {
          const length = payload.readUInt32BE(i);
          const state = payload.readUInt32BE(i + 4);
          if (length === 0) throw new NbdError('protocol', 'zero-length extent');
          extents.push({ offset: at, length, hole: (state & STATE_HOLE) !== 0, zero: (state & STATE_ZERO) !== 0 });
          at += length;
        }
        req.extents = extents;
        return;
      }
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

  private finish(req: PendingRequest): void {
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
}
