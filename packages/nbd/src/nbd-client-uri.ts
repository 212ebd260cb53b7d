import type { NbdClientOptions, NbdClientTlsOptions } from './nbd-client-types';
import { loadCertificateDir, loadPskFile } from './nbd-tls';
import { parseNbdUri } from './nbd-uri';

/** Turns a URI into client options, loading the certificate directory or PSK file it names. */
export async function connectOptionsFromUri(text: string): Promise<NbdClientOptions> {
  const uri = parseNbdUri(text);
  const options: NbdClientOptions = { exportName: uri.exportName };
  if (uri.socketPath) options.socketPath = uri.socketPath;
  else {
    options.host = uri.host ?? 'localhost';
    if (uri.port !== undefined) options.port = uri.port;
  }
  if (uri.tls) {
    const tls: NbdClientTlsOptions = { mode: 'require', verifyPeer: uri.tlsVerifyPeer };
    if (uri.tlsPskFile) {
      const keys = await loadPskFile(uri.tlsPskFile);
      const identity = uri.tlsUsername ?? '';
      const key = keys.get(identity);
      if (!key) throw new Error(`PSK file has no key for identity ${JSON.stringify(identity)}`);
      tls.psk = { identity, key };
    } else if (uri.tlsCertificates) {
      Object.assign(tls, await loadCertificateDir(uri.tlsCertificates, 'client'));
    }
    // Without tls-certificates the system CA store applies: unlike libnbd, an untrusted certificate is refused.
    options.tls = tls;
  }
  return options;
}
