import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';

/**
 * Payloads with at least this much left are read (plain `onread`) or decrypted (TLS) straight into their own
 * buffer; smaller pieces go through a scratch buffer, where one copy costs less than a read of their own.
 */
export const DIRECT_READ_MIN = 32 * 1024;

/**
 * Lets a TLS socket that was opened over an existing connection (NBD's STARTTLS, the agent port's upgrade)
 * decrypt into buffers the caller chooses, the way `net.Socket`'s `onread` option does for plain sockets.
 *
 * Node supports `onread` for TLS sockets, but `tls.connect()` ignores it when given a `socket` (its
 * constructor passes `onread: !socket ? options.onread : null` to `net.Socket`), and STARTTLS always gives
 * one. Without it every 16 KiB TLS record becomes a fresh Buffer, a 'data' event and a copy into the
 * payload's buffer; with it the record is written straight into that buffer (a READ reply's on the client, a
 * WRITE payload's on the server). This does what `net.Socket`'s constructor does with `onread` (the three own
 * symbols below, then the handle's `useUserBuffer`), so it depends on those internals: when any of them is
 * missing it changes nothing and returns null, and the caller keeps reading 'data' events. Tests assert that
 * it engages on the Node version we ship (docs/decisions/tls-direct-reads.md).
 *
 * Otherwise it returns `redirect(buffer)`: the next read lands in `buffer` instead of the one `nextBuffer`
 * handed out last (for a caller that must take a buffer back before it is filled).
 */
export function readTlsIntoCallerBuffers(
  stream: Duplex,
  nextBuffer: () => Buffer,
  onRead: (nread: number, buffer: Uint8Array) => boolean,
): ((buffer: Buffer) => void) | null {
  if (!(stream instanceof TLSSocket) || stream.readableLength > 0) return null;
  const handle = (stream as unknown as { _handle?: { useUserBuffer?: (buffer: Uint8Array) => void } })._handle;
  if (typeof handle?.useUserBuffer !== 'function') return null;
  const own = Object.getOwnPropertySymbols(stream);
  const symbol = (name: string): symbol | undefined => own.find((s) => s.description === name);
  const [kBuffer, kBufferCb, kBufferGen] = [symbol('kBuffer'), symbol('kBufferCb'), symbol('kBufferGen')];
  if (!kBuffer || !kBufferCb || !kBufferGen) return null;
  const fields = stream as unknown as Record<symbol, unknown>;
  if (fields[kBuffer] !== null || fields[kBufferCb] !== null || fields[kBufferGen] !== null) return null;
  fields[kBufferGen] = nextBuffer;
  fields[kBufferCb] = onRead;
  const redirect = (buffer: Buffer): void => {
    fields[kBuffer] = buffer;
    handle.useUserBuffer?.(buffer);
  };
  redirect(nextBuffer());
  return redirect;
}
