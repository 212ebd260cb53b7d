// TLS to the MigrateKit server pinned by the SHA-256 fingerprint of its certificate (from the pairing token):
// the socket is handed to HTTP/WebSocket only after the fingerprint matched, so not one request byte (nor the
// agent's secret) reaches a server that is not the one the token names.
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import { MigrateKitError, readBoundedBody } from '@migratekit/core';
import { normalizeFingerprint } from './protocol';

export type ConnectCallback = (error: Error | null, socket: Duplex) => void;

export interface PinnedConnectOptions {
  host?: string;
  port?: number;
  servername?: string;
}

/** A `createConnection` for http/https/ws requests that verifies the peer certificate's fingerprint first. */
export function pinnedConnector(
  fingerprint: string,
  connectTimeoutMs = 15_000,
): (options: PinnedConnectOptions, callback: ConnectCallback) => undefined {
  const wanted = normalizeFingerprint(fingerprint);
  return (options, callback) => {
    const host = options.host ?? 'localhost';
    const socket: TLSSocket = connect({
      host,
      port: options.port ?? 443,
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: options.servername ?? host }),
      // Trust comes from the pinned fingerprint, checked below before any byte is written.
      rejectUnauthorized: false,
    });
    socket.setTimeout(connectTimeoutMs, () =>
      socket.destroy(new MigrateKitError('MKE_UPSTREAM_UNREACHABLE', { message: `connect to ${host} timed out` })),
    );
    const onError = (error: Error): void => callback(error, socket);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', onError);
      const actual = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
      if (actual !== wanted) {
        socket.destroy();
        callback(
          new MigrateKitError('MKE_UPSTREAM_TLS', {
            message: 'server certificate does not match the pinned fingerprint',
            details: { reason: 'thumbprint_mismatch', sha256: actual },
          }),
          socket,
        );
        return;
      }
      callback(null, socket);
    });
    return undefined;
  };
}

export interface PinnedPostOptions {
  /** TCP + TLS handshake; default 15 s. */
  connectTimeoutMs?: number;
  /** From the request to the whole answer; default 30 s. */
  responseTimeoutMs?: number;
  /** Largest answer read; default 1 MiB (a pairing answer is a few hundred bytes). */
  maxResponseBytes?: number;
}

/** POSTs JSON over pinned TLS and returns status and parsed body; bounded in time and size. */
export function pinnedPostJson(
  url: string,
  fingerprint: string,
  body: unknown,
  options: PinnedPostOptions = {},
): Promise<{ status: number; body: unknown }> {
  const target = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  const responseTimeoutMs = options.responseTimeoutMs ?? 30_000;
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  return new Promise((resolveAnswer, rejectAnswer) => {
    const resolve = (answer: { status: number; body: unknown }): void => {
      clearTimeout(deadline);
      resolveAnswer(answer);
    };
    const reject = (error: Error): void => {
      clearTimeout(deadline);
      rejectAnswer(error);
    };
    const req = httpsRequest(
      {
        host: target.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: target.port === '' ? 443 : Number(target.port),
        path: target.pathname + target.search,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
        // Node's typings want a synchronous return; the callback form is supported by http.ClientRequest.
        createConnection: pinnedConnector(fingerprint, options.connectTimeoutMs) as unknown as () => Duplex,
      },
      (res) => {
        readBoundedBody(res, maxBytes, target.origin).then((raw) => {
          const text = raw.toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        }, reject);
      },
    );
    // A deadline for the whole exchange, not an idle timer: a server trickling bytes cannot hold us.
    const deadline = setTimeout(
      () =>
        req.destroy(
          new MigrateKitError('MKE_UPSTREAM_TIMEOUT', {
            message: `No complete answer from ${target.origin} in ${responseTimeoutMs} ms`,
          }),
        ),
      responseTimeoutMs,
    );
    req.on('error', reject);
    req.end(payload);
  });
}
