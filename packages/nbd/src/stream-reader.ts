import type { Duplex } from 'node:stream';
import { NbdError } from './nbd-error';
import { DIRECT_READ_MIN, readTlsIntoCallerBuffers } from './tls-direct-read';

interface Waiter {
  size: number;
  resolve: (data: Buffer) => void;
  reject: (error: Error) => void;
}

/** A readInto() being filled by the TLS layer directly (readDirectly()). */
interface Sink {
  target: Buffer;
  filled: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

const SCRATCH_BYTES = 64 * 1024;

/**
 * Pull-style reads of exact byte counts from a socket. It pauses the socket when more than `highWaterMark`
 * bytes wait unread, so a peer cannot make us buffer without bound; detach() hands the raw socket over to a
 * TLS wrapper after STARTTLS.
 */
export class StreamReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiter: Waiter | null = null;
  private failure: Error | null = null;
  private stream: Duplex | null = null;
  private paused = false;
  /** Set by readDirectly(): the buffer the TLS layer decrypts into when no payload takes the bytes. */
  private scratch: Buffer | null = null;
  private sink: Sink | null = null;
  private handedSink = false;
  private redirect: ((buffer: Buffer) => void) | null = null;

  constructor(private readonly highWaterMark = 4 * 1024 * 1024) {}

  private readonly onData = (chunk: Buffer): void => {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.serve();
    if (this.buffered > this.highWaterMark && this.buffered >= (this.waiter?.size ?? 0) && !this.paused) {
      this.paused = true;
      this.stream?.pause();
    }
  };

  private readonly onEnd = (): void => this.fail(new NbdError('connection', 'connection closed by peer'));
  private readonly onError = (error: Error): void =>
    this.fail(error instanceof NbdError ? error : new NbdError('connection', error.message, { cause: error }));

  /** Bytes read by someone else (a socket in `onread` mode); `chunk` must not be reused by the caller. */
  push(chunk: Buffer): void {
    this.onData(chunk);
  }

  /** Takes every byte still buffered (after detach(), for the next reader of the stream). */
  drain(): Buffer[] {
    const chunks = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    return chunks;
  }

  attach(stream: Duplex): void {
    this.stream = stream;
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
    this.paused = false;
    stream.resume();
  }

  /**
   * From now on the TLS layer decrypts large payloads of readInto() straight into their buffer, and everything
   * else into one scratch buffer copied out (tls-direct-read.ts). False, changing nothing, when the stream is
   * not TLS or Node does not allow it; reads then keep coming as 'data' chunks.
   */
  readDirectly(): boolean {
    if (!this.stream || this.scratch || this.paused) return false;
    this.scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    this.redirect = readTlsIntoCallerBuffers(this.stream, this.nextReadBuffer, this.onDirectRead);
    if (!this.redirect) this.scratch = null;
    return this.redirect !== null;
  }

  private readonly nextReadBuffer = (): Buffer => {
    const sink = this.sink;
    this.handedSink = sink !== null && sink.target.length - sink.filled >= DIRECT_READ_MIN;
    return sink && this.handedSink ? sink.target.subarray(sink.filled) : (this.scratch as Buffer);
  };

  /** `nread` bytes arrived in the sink's buffer when it was handed out, else in scratch. */
  private readonly onDirectRead = (nread: number): boolean => {
    const sink = this.sink;
    const scratch = this.scratch as Buffer;
    let at = 0;
    if (sink) {
      at = this.handedSink ? nread : Math.min(nread, sink.target.length - sink.filled);
      if (!this.handedSink) scratch.copy(sink.target, sink.filled, 0, at);
      sink.filled += at;
      if (sink.filled === sink.target.length) {
        this.sink = null;
        sink.resolve();
      }
    }
    // The scratch buffer is reused for the next read: what is kept must be a copy.
    if (at < nread) this.onData(Buffer.from(scratch.subarray(at, nread)));
    return true;
  };

  /** Stops reading from the current stream; bytes already buffered stay readable. */
  detach(): void {
    const stream = this.stream;
    if (!stream) return;
    stream.off('data', this.onData);
    stream.off('end', this.onEnd);
    stream.off('close', this.onEnd);
    stream.off('error', this.onError);
    stream.pause();
    this.stream = null;
  }

  get pending(): number {
    return this.buffered;
  }

  fail(error: Error): void {
    if (!this.failure) this.failure = error;
    const sink = this.sink;
    this.sink = null;
    if (sink && this.handedSink) {
      // The caller may reuse the buffer once this rejects: nothing more may be decrypted into it.
      this.handedSink = false;
      this.redirect?.(this.scratch as Buffer);
    }
    sink?.reject(this.failure);
    const waiter = this.waiter;
    if (waiter && this.buffered < waiter.size) {
      this.waiter = null;
      waiter.reject(this.failure);
    }
  }

  /** Returns exactly `size` bytes now, or null when not enough are buffered. */
  tryRead(size: number): Buffer | null {
    if (this.buffered < size || this.waiter) return null;
    return this.take(size);
  }

  read(size: number): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new Error('StreamReader: concurrent read'));
    if (this.buffered >= size) return Promise.resolve(this.take(size));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { size, resolve, reject };
      if (this.paused && this.buffered < size) this.resumeStream();
    });
  }

  /** Fills `target` straight from the buffered socket chunks (no intermediate buffer for large payloads). */
  async readInto(target: Buffer): Promise<void> {
    let filled = 0;
    while (filled < target.length) {
      if (this.scratch && this.buffered === 0 && !this.waiter && !this.sink) {
        if (this.failure) throw this.failure;
        // The TLS layer fills the rest (directly while at least DIRECT_READ_MIN is left).
        await new Promise<void>((resolve, reject) => {
          this.sink = { target, filled, resolve, reject };
          if (this.paused) this.resumeStream();
        });
        return;
      }
      if (this.buffered === 0 || this.waiter) {
        const one = await this.read(1);
        target[filled++] = one[0] as number;
        continue;
      }
      const size = Math.min(this.buffered, target.length - filled);
      let left = size;
      while (left > 0) {
        const chunk = this.chunks[0] as Buffer;
        const n = Math.min(chunk.length, left);
        chunk.copy(target, filled, 0, n);
        filled += n;
        left -= n;
        if (n === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(n);
      }
      this.buffered -= size;
      if (this.paused && this.buffered <= this.highWaterMark / 2) this.resumeStream();
    }
  }

  /** Removes and returns every buffered byte (for a connection that moves elsewhere after detach()). */
  takeBuffered(): Buffer {
    const out = Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    return out;
  }

  private serve(): void {
    const waiter = this.waiter;
    if (!waiter || this.buffered < waiter.size) return;
    this.waiter = null;
    waiter.resolve(this.take(waiter.size));
  }

  private resumeStream(): void {
    this.paused = false;
    this.stream?.resume();
  }

  private take(size: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0];
    if (size === 0) return Buffer.alloc(0);
    if (first && first.length >= size) {
      out = first.subarray(0, size);
      if (first.length === size) this.chunks.shift();
      else this.chunks[0] = first.subarray(size);
    } else {
      out = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const chunk = this.chunks[0] as Buffer;
        const n = Math.min(chunk.length, size - filled);
        chunk.copy(out, filled, 0, n);
        filled += n;
        if (n === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(n);
      }
    }
    this.buffered -= size;
    if (this.paused && this.buffered <= this.highWaterMark / 2) this.resumeStream();
    return out;
  }
}
