// A self-signed certificate made once with openssl and kept on disk: the NBD target's and the vCenter
// simulator's. Clients do not trust it through a CA; they pin it by fingerprint.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { access, chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

/** child_process adapter: runs a program, rejects when it fails. */
export type RunFile = (file: string, args: string[]) => Promise<unknown>;

const defaultRun: RunFile = promisify(execFile);

export interface CertificatePair {
  /** PEM certificate and private key. */
  cert: string;
  key: string;
  /** "AA:BB:..." of the DER certificate: SHA-1 (as older vSphere shows it) and SHA-256. */
  sha1Fingerprint: string;
  sha256Fingerprint: string;
}

export interface SelfSignedCertificateOptions {
  certPath: string;
  keyPath: string;
  /** Subject common name, e.g. "migratekit-server". */
  commonName: string;
  /** Extra subjectAltNames besides localhost and 127.0.0.1; IP literals become IP entries. */
  hostNames?: readonly string[];
  run?: RunFile;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export function subjectAltNames(hostNames: readonly string[]): string {
  return [...new Set(['localhost', '127.0.0.1', ...hostNames])]
    .map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`))
    .join(',');
}

/** Reads a PEM certificate and key and computes the certificate's fingerprints. */
export async function readCertificatePair(certPath: string, keyPath: string): Promise<CertificatePair> {
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  const x509 = new X509Certificate(cert);
  return { cert, key, sha1Fingerprint: x509.fingerprint, sha256Fingerprint: x509.fingerprint256 };
}

/** Reads the pair at the given paths, making it first (RSA 2048, SHA-256, ten years) when either file is missing. */
export async function loadOrCreateSelfSignedCertificate(
  options: SelfSignedCertificateOptions,
): Promise<CertificatePair> {
  const { certPath, keyPath } = options;
  if (!(await exists(certPath)) || !(await exists(keyPath))) {
    await mkdir(dirname(certPath), { recursive: true, mode: 0o700 });
    await mkdir(dirname(keyPath), { recursive: true, mode: 0o700 });
    await (options.run ?? defaultRun)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '3650',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-subj',
      `/CN=${options.commonName}/O=MigrateKit`,
      '-addext',
      `subjectAltName=${subjectAltNames(options.hostNames ?? [])}`,
    ]);
    // openssl leaves the modes to the umask; the key (and, beside it, the certificate) stay owner-only.
    await Promise.all([chmod(keyPath, 0o600), chmod(certPath, 0o600)]);
  }
  return readCertificatePair(certPath, keyPath);
}
