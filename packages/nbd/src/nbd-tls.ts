import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// TLS material in the layouts nbdkit and libnbd use, so one directory or PSK file serves every peer:
// a certificate directory holds ca-cert.pem, server-cert.pem, server-key.pem (and client-cert.pem,
// client-key.pem for the client side); a PSK file holds `identity:hexkey` lines (GnuTLS psktool format).

export interface CertificateMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export type PskKeys = ReadonlyMap<string, Buffer>;

/** TLS 1.2 PSK suites, plus the TLS 1.3 defaults; AES-GCM first as it is hardware-accelerated. */
export const PSK_CIPHERS =
  'ECDHE-PSK-AES128-GCM-SHA256:PSK-AES128-GCM-SHA256:ECDHE-PSK-AES256-GCM-SHA384:PSK-AES256-GCM-SHA384:ECDHE-PSK-CHACHA20-POLY1305:PSK-CHACHA20-POLY1305';
export const TLS13_CIPHERSUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

async function optional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function loadCertificateDir(dir: string, role: 'server' | 'client'): Promise<CertificateMaterial> {
  const [ca, cert, key] = await Promise.all([
    optional(join(dir, 'ca-cert.pem')),
    optional(join(dir, `${role}-cert.pem`)),
    optional(join(dir, `${role}-key.pem`)),
  ]);
  if (role === 'server' && (!cert || !key))
    throw new Error(`certificate directory ${dir} lacks server-cert.pem or server-key.pem`);
  const material: CertificateMaterial = {};
  if (ca) material.ca = ca;
  if (cert) material.cert = cert;
  if (key) material.key = key;
  return material;
}

export function parsePskFile(text: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.lastIndexOf(':');
    const hex = line.slice(colon + 1);
    if (colon <= 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length % 2 !== 0)
      throw new Error('PSK file line is not identity:hexkey');
    keys.set(line.slice(0, colon), Buffer.from(hex, 'hex'));
  }
  if (keys.size === 0) throw new Error('PSK file holds no keys');
  return keys;
}

export async function loadPskFile(path: string): Promise<Map<string, Buffer>> {
  return parsePskFile(await readFile(path, 'utf8'));
}
