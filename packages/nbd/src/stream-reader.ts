import type { Duplex } from 'node:stream';
import { NbdError } from './nbd-error';

interface Waiter {
  size: number;
  resolve: (data: Buffer) => void;
  reject: (error: Error) => void;
}

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
