import { systemClock } from '@migratekit/core';
import { connect as netConnect, type Socket } from 'node:net';
import type { ReplyParser } from './nbd-client-reply-parser';
import type { NbdClientOptions } from './nbd-client-types';
import { DEFAULT_PORT } from './nbd-constants';
import { NbdError } from './nbd-error';
import type { StreamReader } from './stream-reader';

/**
 * Socket input of a plain TCP or Unix connection (`net.Socket` `onread`): the handshake gets copies of what
 * arrives, then the reply parser decides where each read lands (a large READ payload: the request's buffer).
 * TLS sockets get the same after their handshake (tls-direct-read.ts), or feed the parser from 'data' events.
 */
export class DirectInput {
  parser: ReplyParser | null = null;
  private readonly handshakeBuffer = Buffer.allocUnsafe(64 * 1024);
  constructor(private readonly reader: StreamReader) {}

  readonly buffer = (): Buffer => (this.parser ? this.parser.nextReadBuffer() : this.handshakeBuffer);
  readonly callback = (nread: number, buffer: Uint8Array): boolean => {
    if (this.parser) return this.parser.onRead(nread, buffer);
    this.reader.push(Buffer.from(buffer.subarray(0, nread)));
    return true;
  };
}

export function readsDirectly(options: NbdClientOptions): boolean {
  return !options.tls && !options.securedTransport;
}

export async function openSocket(options: NbdClientOptions, direct: DirectInput | null = null): Promise<Socket> {
  if (options.securedTransport) {
    const secured = await options.securedTransport();
    secured.setNoDelay(true);
    return secured;
  }
  const onread = direct ? { onread: { buffer: direct.buffer, callback: direct.callback } } : {};
  const socket = options.socketPath
    ? netConnect({ path: options.socketPath, ...onread })
    : netConnect({ host: options.host ?? 'localhost', port: options.port ?? DEFAULT_PORT, noDelay: true, ...onread });
  const clock = options.clock ?? systemClock;
  const abort = new AbortController();
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', (error) => reject(new NbdError('connection', error.message, { cause: error })));
      }),
      clock
        .sleep(options.connectTimeoutMs ?? 30_000, abort.signal)
        .then(() => Promise.reject(new NbdError('timeout', 'connect timed out'))),
    ]);
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    abort.abort();
  }
  socket.removeAllListeners('error');
  socket.setNoDelay(true);
  return socket;
}
