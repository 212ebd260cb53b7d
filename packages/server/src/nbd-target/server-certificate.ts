// The server's TLS certificate for the NBD target: the configured one, or a self-signed certificate made once
// with openssl into the data dir (agents pin it by fingerprint, as with the pairing in docs/model.md#components).
import { join } from 'node:path';
import { loadOrCreateSelfSignedCertificate, readCertificatePair, type RunFile } from '@migratekit/node-common';

export type { RunFile } from '@migratekit/node-common';

export interface ServerCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint, "AA:BB:..." */
  fingerprint256: string;
  certPath: string;
  keyPath: string;
}

export const NBD_CERT_FILE = 'nbd-target.crt';
export const NBD_KEY_FILE = 'nbd-target.key';

export async function loadOrCreateServerCertificate(options: {
  dataDir: string;
  hostNames?: readonly string[];
  certPath?: string;
  keyPath?: string;
  run?: RunFile;
}): Promise<ServerCertificate> {
  const certPath = options.certPath ?? join(options.dataDir, NBD_CERT_FILE);
  const keyPath = options.keyPath ?? join(options.dataDir, NBD_KEY_FILE);
  const configured = options.certPath !== undefined || options.keyPath !== undefined;
  const pair = configured
    ? await readCertificatePair(certPath, keyPath)
    : await loadOrCreateSelfSignedCertificate({
        certPath,
        keyPath,
        commonName: 'migratekit-server',
        ...(options.hostNames === undefined ? {} : { hostNames: options.hostNames }),
        ...(options.run === undefined ? {} : { run: options.run }),
      });
  return { cert: pair.cert, key: pair.key, fingerprint256: pair.sha256Fingerprint, certPath, keyPath };
}
