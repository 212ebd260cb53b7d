// The server's TLS certificate for the NBD target: the configured one, or a self-signed certificate made once
// with openssl into the data dir (agents pin it by fingerprint, as with the pairing of SPEC §2).
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { access, chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface ServerCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint, "AA:BB:..." */
  fingerprint256: string;
  certPath: string;
  keyPath: string;
}

/** child_process adapter: runs a program, rejects when it fails. */
export type RunFile = (file: string, args: string[]) => Promise<unknown>;

const defaultRun: RunFile = promisify(execFile);

export const NBD_CERT_FILE = 'nbd-target.crt';
export const NBD_KEY_FILE = 'nbd-target.key';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function subjectAltNames(hostNames: readonly string[]): string {
  return [...new Set(['localhost', '127.0.0.1', ...hostNames])]
    .map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`))
    .join(',');
}

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
  if (!configured && (!(await exists(certPath)) || !(await exists(keyPath)))) {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
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
      '/CN=migratekit-server/O=MigrateKit',
      '-addext',
      `subjectAltName=${subjectAltNames(options.hostNames ?? [])}`,
    ]);
    // openssl leaves the modes to the umask; both files live in the owner-only data dir as 0600.
    await Promise.all([chmod(keyPath, 0o600), chmod(certPath, 0o600)]);
  }
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { cert, key, fingerprint256: new X509Certificate(cert).fingerprint256, certPath, keyPath };
}
