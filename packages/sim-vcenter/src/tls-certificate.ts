import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A self-signed certificate made once with openssl and kept in the data dir, like a vCenter's own
// machine certificate. Clients pin it by thumbprint.

export interface SimCertificate {
  cert: string;
  key: string;
  /** "AA:BB:..." as vSphere shows it. */
  sha1Thumbprint: string;
  sha256Thumbprint: string;
}

export type RunFile = (file: string, args: string[]) => Promise<unknown>;

const defaultRun: RunFile = promisify(execFile);

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function loadOrCreateCertificate(
  dir: string,
  hostNames: string[],
  run: RunFile = defaultRun,
): Promise<SimCertificate> {
  const certPath = join(dir, 'sim-vcenter.crt');
  const keyPath = join(dir, 'sim-vcenter.key');
  if (!(await exists(certPath)) || !(await exists(keyPath))) {
    const san = [...new Set(['localhost', '127.0.0.1', ...hostNames])]
      .map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`))
      .join(',');
    await run('openssl', [
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
      '/CN=vcenter-sim.migratekit.local/O=MigrateKit',
      '-addext',
      `subjectAltName=${san}`,
    ]);
  }
  const cert = await readFile(certPath, 'utf8');
  const key = await readFile(keyPath, 'utf8');
  const x509 = new X509Certificate(cert);
  return { cert, key, sha1Thumbprint: x509.fingerprint, sha256Thumbprint: x509.fingerprint256 };
}
