import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { corkForThisTick } from './tick-cork';

// How the client's requests leave on a connection (docs/decisions/tls-direct-reads.md, "Writes").
//
// Plain TCP: requests issued in the same tick leave in one writev, since each send syscall costs on loopback.
// TLS: Node's TLS stream copies the buffers of a multi-buffer write into one new buffer before encrypting it
// (TLSWrap::DoWrite), so a tick's worth of 512 KiB WRITE payloads was copied once more into freshly mapped
// memory. There, large payloads leave as their own single-buffer writes, encrypted from where they lie; small
// requests are still joined, so that a tick's READ headers make one record instead of one each.

/** On TLS, payloads from this size up leave as their own write instead of being joined with others. */
export const SEPARATE_TLS_PAYLOAD = 64 * 1024;

/**
 * Makes a TLS stream hand its buffered writes to the TLS layer one at a time: a Writable without `_writev`
 * writes each queued chunk with `_write`. Returns false (changing nothing) for anything but a TLSSocket with
 * the usual `_writev`, so a Node that changes this costs a copy, not correctness.
 */
export function writeTlsChunksSingly(stream: Duplex): boolean {
  const writable = stream as Duplex & { _writev?: unknown };
  if (!(stream instanceof TLSSocket) || typeof writable._writev !== 'function') return false;
  writable._writev = undefined;
  return true;
}

export class RequestWriter {
  private joined: Buffer[] = [];
  private joinedBytes = 0;
  /** True when large payloads leave unjoined (a TLS stream that allowed it). */
  readonly separatesPayloads: boolean;

  constructor(private readonly stream: Duplex) {
    this.separatesPayloads = writeTlsChunksSingly(stream);
  }

  /** Queues a request: its header, then its payload (WRITE) right behind it on the stream. */
  send(header: Buffer, payload: Buffer | null): void {
    if (!this.separatesPayloads) {
      corkForThisTick(this.stream);
      this.stream.write(header);
      if (payload) this.stream.write(payload);
      return;
    }
    this.join(header);
    if (payload === null) return;
    if (payload.length < SEPARATE_TLS_PAYLOAD) return this.join(payload);
    this.flushJoined();
    this.stream.write(payload);
  }

  private join(buffer: Buffer): void {
    this.joined.push(buffer);
    this.joinedBytes += buffer.length;
    if (this.joined.length === 1) process.nextTick(() => this.flushJoined());
  }

  private flushJoined(): void {
    const first = this.joined[0];
    if (first === undefined) return;
    const chunk = this.joined.length === 1 ? first : Buffer.concat(this.joined, this.joinedBytes);
    this.joined = [];
    this.joinedBytes = 0;
    if (!this.stream.destroyed) this.stream.write(chunk);
  }
}
