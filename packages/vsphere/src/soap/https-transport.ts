// POSTs SOAP envelopes to vCenter's /sdk over HTTPS. Every TLS connection is verified by this module before
// a single request byte is written: either the leaf certificate matches the pinned thumbprint, or the chain
// and host name verify against the trusted CAs. Certificate checking is never simply switched off.
import { Agent, request } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { MigrateKitError, readBoundedBody } from '@migratekit/core';
import { isIpAddress, normalizeThumbprint, thumbprintMatches, thumbprintsOf } from '../tls/thumbprint';

export interface SoapHttpRequest {
  body: string;
  soapAction: string;
  cookie: string | undefined;
}

export interface SoapHttpResponse {
  status: number;
  body: string;
  setCookie: string[];
}

/** The HTTP adapter the vim client talks through; tests pass an in-memory one. */
export interface SoapTransport {
  readonly endpoint: string;
  post(req: SoapHttpRequest): Promise<SoapHttpResponse>;
  close(): void;
}

export interface HttpsTransportOptions {
  host: string;
  port?: number;
  path?: string;
  /** SHA-1 or SHA-256 thumbprint of the vCenter's leaf certificate; when set, it is the trust anchor. */
  thumbprint?: string | undefined;
  /** Extra trusted CA certificates (PEM) for unpinned connections. */
  ca?: string | string[] | undefined;
  /** Per-request deadline for the whole answer (not an idle timer); default 120 s. */
  timeoutMs?: number;
  /** Largest answer read; default 64 MiB (property pages are requested in bounded batches). */
  maxResponseBytes?: number;
  /** TCP + TLS handshake timeout; default 15 s. */
  connectTimeoutMs?: number;
}

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

function verifySocket(
  socket: TLSSocket,
  host: string,
  port: number,
  thumbprint: string | undefined,
): Error | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert.raw)
    return new MigrateKitError('MKE_UPSTREAM_TLS', { message: `${host}:${port} presented no certificate` });
  const presented = thumbprintsOf(cert.raw);
  if (thumbprint !== undefined) {
    if (thumbprintMatches(thumbprint, presented)) return undefined;
    return new MigrateKitError('MKE_UPSTREAM_TLS', {
      message: `Certificate of ${host}:${port} does not match the pinned thumbprint`,
      details: { reason: 'thumbprint_mismatch', expected: thumbprint, sha1: presented.sha1, sha256: presented.sha256 },
    });
  }
  if (socket.authorized) return undefined;
  return new MigrateKitError('MKE_UPSTREAM_TLS', {
    message: `Certificate of ${host}:${port} is not trusted (${String(socket.authorizationError)}); pin its thumbprint`,
    details: {
      reason: 'untrusted_certificate',
      tls_error: String(socket.authorizationError),
      sha1: presented.sha1,
      sha256: presented.sha256,
    },
  });
}

/** An https.Agent whose sockets are handed to the HTTP client only after our own certificate check. */
class VerifyingAgent extends Agent {
  constructor(private readonly target: HttpsTransportOptions & { port: number }) {
    super({ keepAlive: true, maxSockets: 4 });
  }

  override createConnection(
    _options: unknown,
    callback?: (err: Error | null, socket: Duplex) => void,
  ): Duplex | undefined {
    const { host, port, thumbprint, ca } = this.target;
    const tlsOptions: ConnectionOptions = {
      host,
      port,
      servername: isIpAddress(host) ? undefined : host,
      ca,
      // Verification happens in verifySocket below, before any request data is written.
      rejectUnauthorized: false,
    };
    const socket = connect(tlsOptions);
    const onError = (error: Error): void => callback?.(error, socket);
    socket.once('error', onError);
    // A host that drops SYNs would otherwise hang for the OS connect timeout (minutes).
    const connectTimeoutMs = this.target.connectTimeoutMs ?? 15_000;
    socket.setTimeout(connectTimeoutMs, () =>
      socket.destroy(
        new MigrateKitError('MKE_UPSTREAM_UNREACHABLE', {
          message: `Cannot reach ${host}:${port}: no TLS connection within ${connectTimeoutMs} ms`,
          details: { reason: 'connect_timeout' },
        }),
      ),
    );
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', onError);
      const failure = verifySocket(socket, host, port, thumbprint);
      if (failure) {
        socket.destroy();
        callback?.(failure, socket);
        return;
      }
      callback?.(null, socket);
    });
    return undefined;
  }
}

function mapTransportError(error: unknown, endpoint: string): MigrateKitError {
  if (error instanceof MigrateKitError) return error;
  const err = error as NodeJS.ErrnoException;
  if (err.code !== undefined && NETWORK_ERRORS.has(err.code)) {
    return new MigrateKitError('MKE_UPSTREAM_UNREACHABLE', {
      message: `Cannot reach ${endpoint}: ${err.code}`,
      details: { reason: err.code },
      cause: error,
    });
  }
  if (err.code?.startsWith('ERR_SSL') || err.code?.startsWith('ERR_TLS')) {
    return new MigrateKitError('MKE_UPSTREAM_TLS', {
      message: `TLS failure with ${endpoint}: ${err.message}`,
      cause: error,
    });
  }
  return new MigrateKitError('MKE_UPSTREAM_UNREACHABLE', {
    message: `Request to ${endpoint} failed: ${err.message}`,
    cause: error,
  });
}

export function createHttpsTransport(options: HttpsTransportOptions): SoapTransport {
  const port = options.port ?? 443;
  const path = options.path ?? '/sdk';
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  const endpoint = `https://${isIpAddress(options.host) && options.host.includes(':') ? `[${options.host}]` : options.host}:${port}${path}`;
  // An empty pin means "not pinned"; a malformed one is refused before any connection is made.
  const thumbprint = options.thumbprint?.trim() ? options.thumbprint.trim() : undefined;
  if (thumbprint !== undefined) normalizeThumbprint(thumbprint);
  const agent = new VerifyingAgent({ ...options, thumbprint, port });

  return {
    endpoint,
    post: (req) =>
      new Promise<SoapHttpResponse>((resolve, reject) => {
        const headers: Record<string, string> = {
          'Content-Type': 'text/xml; charset=utf-8',
          SOAPAction: req.soapAction,
          'Content-Length': String(Buffer.byteLength(req.body)),
        };
        if (req.cookie !== undefined) headers.Cookie = req.cookie;
        const call = request({ host: options.host, port, path, method: 'POST', agent, headers }, (res) => {
          readBoundedBody(res, maxResponseBytes, endpoint).then(
            (body) => {
              clearTimeout(deadline);
              const cookies = res.headers['set-cookie'] ?? [];
              resolve({ status: res.statusCode ?? 0, body: body.toString('utf8'), setCookie: cookies });
            },
            (error: unknown) => {
              clearTimeout(deadline);
              reject(mapTransportError(error, endpoint));
            },
          );
        });
        // A deadline for the whole exchange: an idle timer would let a server trickling bytes hold us forever.
        const deadline = setTimeout(
          () =>
            call.destroy(
              new MigrateKitError('MKE_UPSTREAM_TIMEOUT', { message: `No answer from ${endpoint} in ${timeoutMs} ms` }),
            ),
          timeoutMs,
        );
        call.on('error', (error) => {
          clearTimeout(deadline);
          reject(mapTransportError(error, endpoint));
        });
        call.end(req.body);
      }),
    close: () => agent.destroy(),
  };
}
