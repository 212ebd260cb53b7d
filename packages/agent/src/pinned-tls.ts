// TLS to the MigrateKit server pinned by the SHA-256 fingerprint of its certificate (from the pairing token):
// the socket is handed to HTTP/WebSocket only after the fingerprint matched, so not one request byte (nor the
// agent's secret) reaches a server that is not the one the token names.
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import { MigrateKitError } from '@migratekit/core';
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

/** POSTs JSON over pinned TLS and returns status and parsed body. */
export function pinnedPostJson(
  url: string,
  fingerprint: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const target = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: target.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: target.port === '' ? 443 : Number(target.port),
        path: target.pathname + target.search,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
        // Node's typings want a synchronous return; the callback form is supported by http.ClientRequest.
        createConnection: pinnedConnector(fingerprint) as unknown as () => Duplex,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
