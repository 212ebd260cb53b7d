// Encoders and decoders for the fixed-size NBD headers. Offsets and lengths are JS numbers: disks are
// below 2^53 bytes, so a u64 is written as two u32 halves instead of paying for BigInt on the hot path.
import {
  IHAVEOPT,
  OPTION_REPLY_MAGIC,
  REQUEST_HEADER_SIZE,
  REQUEST_MAGIC,
  SIMPLE_REPLY_MAGIC,
  SIMPLE_REPLY_SIZE,
  STRUCTURED_HEADER_SIZE,
  STRUCTURED_REPLY_MAGIC,
} from './nbd-constants';

const TWO_32 = 0x1_0000_0000;

export function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32BE(Math.floor(value / TWO_32), at);
  buf.writeUInt32BE(value >>> 0, at + 4);
}

/** Reads a u64; values above 2^53 lose precision and are reported as Infinity so callers reject them. */
export function readU64(buf: Buffer, at: number): number {
  const hi = buf.readUInt32BE(at);
  if (hi >= 0x200000) return Infinity;
  return hi * TWO_32 + buf.readUInt32BE(at + 4);
}

export interface RequestHeader {
  flags: number;
  type: number;
  cookie: Buffer;
  offset: number;
  length: number;
}

/** `into`: a reused header buffer (the client recycles them once the request is answered). */
export function encodeRequest(
  flags: number,
  type: number,
  cookie: number,
  offset: number,
  length: number,
  into?: Buffer,
): Buffer {
  const buf = into ?? Buffer.allocUnsafe(REQUEST_HEADER_SIZE);
  buf.writeUInt32BE(REQUEST_MAGIC, 0);
  buf.writeUInt16BE(flags, 4);
  buf.writeUInt16BE(type, 6);
  writeU64(buf, cookie, 8);
  writeU64(buf, offset, 16);
  buf.writeUInt32BE(length, 24);
  return buf;
}

/** Returns null when the magic is wrong. The cookie stays opaque bytes on the server side. */
export function decodeRequest(buf: Buffer): RequestHeader | null {
  if (buf.readUInt32BE(0) !== REQUEST_MAGIC) return null;
  return {
    flags: buf.readUInt16BE(4),
    type: buf.readUInt16BE(6),
    cookie: Buffer.from(buf.subarray(8, 16)),
    offset: readU64(buf, 16),
    length: buf.readUInt32BE(24),
  };
}

export function encodeSimpleReply(error: number, cookie: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(SIMPLE_REPLY_SIZE);
  buf.writeUInt32BE(SIMPLE_REPLY_MAGIC, 0);
  buf.writeUInt32BE(error, 4);
  cookie.copy(buf, 8);
  return buf;
}

/** `extra` reserves bytes after the header for the caller (e.g. the offset of an OFFSET_DATA chunk). */
export function encodeChunkHeader(flags: number, type: number, cookie: Buffer, length: number, extra = 0): Buffer {
  const buf = Buffer.allocUnsafe(STRUCTURED_HEADER_SIZE + extra);
  buf.writeUInt32BE(STRUCTURED_REPLY_MAGIC, 0);
  buf.writeUInt16BE(flags, 4);
  buf.writeUInt16BE(type, 6);
  cookie.copy(buf, 8);
  buf.writeUInt32BE(length, 16);
  return buf;
}

export function encodeOption(option: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const buf = Buffer.allocUnsafe(16 + data.length);
  buf.writeBigUInt64BE(IHAVEOPT, 0);
  buf.writeUInt32BE(option, 8);
  buf.writeUInt32BE(data.length, 12);
  data.copy(buf, 16);
  return buf;
}

export function encodeOptionReply(option: number, type: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const buf = Buffer.allocUnsafe(20 + data.length);
  buf.writeBigUInt64BE(OPTION_REPLY_MAGIC, 0);
  buf.writeUInt32BE(option, 8);
  buf.writeUInt32BE(type >>> 0, 12);
  buf.writeUInt32BE(data.length, 16);
  data.copy(buf, 20);
  return buf;
}

/** u32 length-prefixed UTF-8 string, as used for export names and context names. */
function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const buf = Buffer.allocUnsafe(4 + bytes.length);
  buf.writeUInt32BE(bytes.length, 0);
  bytes.copy(buf, 4);
  return buf;
}

export function u16(value: number): Buffer {
  const buf = Buffer.allocUnsafe(2);
  buf.writeUInt16BE(value, 0);
  return buf;
}

export function u32(value: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf.writeUInt32BE(value >>> 0, 0);
  return buf;
}

/** Body of GO / INFO: name, then the requested info types. */
export function encodeGoData(exportName: string, infos: number[]): Buffer {
  return Buffer.concat([lengthPrefixed(exportName), u16(infos.length), ...infos.map((i) => u16(i))]);
}

/** Body of LIST_META_CONTEXT / SET_META_CONTEXT. */
export function encodeMetaContextData(exportName: string, queries: string[]): Buffer {
  return Buffer.concat([lengthPrefixed(exportName), u32(queries.length), ...queries.map((q) => lengthPrefixed(q))]);
}

/** A cursor over an option's data that reports truncation instead of throwing RangeError. */
export class DataCursor {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  get remaining(): number {
    return this.buf.length - this.at;
  }
  u16(): number | null {
    if (this.remaining < 2) return null;
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number | null {
    if (this.remaining < 4) return null;
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  string(length: number): string | null {
    if (this.remaining < length) return null;
    const s = this.buf.toString('utf8', this.at, this.at + length);
    this.at += length;
    return s;
  }
  rest(): Buffer {
    const b = this.buf.subarray(this.at);
    this.at = this.buf.length;
    return b;
  }
}
