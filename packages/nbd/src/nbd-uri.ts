import { userInfo } from 'node:os';
import { DEFAULT_PORT } from './nbd-constants';

/** An NBD URI as libnbd reads it (nbd_connect_uri): nbd://, nbds://, nbd+unix://, nbds+unix://. */
export interface NbdUri {
  tls: boolean;
  host?: string;
  port?: number;
  socketPath?: string;
  exportName: string;
  tlsCertificates?: string;
  tlsPskFile?: string;
  tlsUsername?: string;
  /** tls-verify-peer=false turns off certificate verification (libnbd's parameter). */
  tlsVerifyPeer: boolean;
}

const SCHEMES: Record<string, { tls: boolean; unix: boolean }> = {
  'nbd:': { tls: false, unix: false },
  'nbds:': { tls: true, unix: false },
  'nbd+tcp:': { tls: false, unix: false },
  'nbds+tcp:': { tls: true, unix: false },
  'nbd+unix:': { tls: false, unix: true },
  'nbds+unix:': { tls: true, unix: true },
};

export function parseNbdUri(text: string): NbdUri {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`not an NBD URI: ${text}`);
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme) throw new Error(`unsupported NBD URI scheme ${url.protocol}`);
  // The export name is the path without its leading slash, percent-decoded.
  const exportName = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const params = url.searchParams;
  const result: NbdUri = { tls: scheme.tls, exportName, tlsVerifyPeer: params.get('tls-verify-peer') !== 'false' };
  if (scheme.unix) {
    const socket = params.get('socket');
    if (!socket) throw new Error('nbd+unix URI needs ?socket=PATH');
    if (url.hostname) throw new Error('nbd+unix URI must not name a host');
    result.socketPath = socket;
  } else {
    result.host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
    result.port = url.port ? Number(url.port) : DEFAULT_PORT;
  }
  const certs = params.get('tls-certificates');
  const psk = params.get('tls-psk-file');
  const user = params.get('tls-username') ?? (url.username ? decodeURIComponent(url.username) : null);
  if (certs) result.tlsCertificates = certs;
  if (psk) {
    result.tlsPskFile = psk;
    result.tlsUsername = user ?? userInfo().username;
  } else if (user) result.tlsUsername = user;
  return result;
}
