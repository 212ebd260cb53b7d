// Certificate thumbprints as vCenter shows them (SHA-1, and SHA-256 in newer releases): colon-separated
// upper-case hex of the DER certificate's digest.
import { createHash, timingSafeEqual } from 'node:crypto';
import { connect, type PeerCertificate } from 'node:tls';
import { MigrateKitError } from '@migratekit/core';

export interface CertificateThumbprints {
  sha1: string;
  sha256: string;
}

export interface CertificateInfo extends CertificateThumbprints {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
}

export function formatThumbprint(hex: string): string {
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');
}

/** Accepts "AA:BB:..", "aabb..", or with spaces; returns lower-case hex of 40 (SHA-1) or 64 (SHA-256) digits. */
export function normalizeThumbprint(thumbprint: string): string {
  const hex = thumbprint.replace(/[\s:-]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || (hex.length !== 40 && hex.length !== 64)) {
    throw new MigrateKitError('MKE_VALIDATION', {
      message: 'Thumbprint must be a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) fingerprint',
      field: 'thumbprint',
    });
  }
  return hex;
}

export function thumbprintsOf(derCertificate: Buffer): CertificateThumbprints {
  return {
    sha1: formatThumbprint(createHash('sha1').update(derCertificate).digest('hex')),
    sha256: formatThumbprint(createHash('sha256').update(derCertificate).digest('hex')),
  };
}

/** True when the pinned thumbprint (either digest length) equals the certificate's. */
export function thumbprintMatches(pinned: string, actual: CertificateThumbprints): boolean {
  const want = Buffer.from(normalizeThumbprint(pinned), 'hex');
  const have = Buffer.from(normalizeThumbprint(want.length === 20 ? actual.sha1 : actual.sha256), 'hex');
  return want.length === have.length && timingSafeEqual(want, have);
}

function describeName(name: PeerCertificate['subject'] | undefined): string {
  if (name === undefined) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

function certificateInfo(cert: PeerCertificate): CertificateInfo {
  return {
    ...thumbprintsOf(cert.raw),
    subject: describeName(cert.subject),
    issuer: describeName(cert.issuer),
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
  };
}

export interface FetchThumbprintOptions {
  timeoutMs?: number;
}

/**
 * First contact with a vCenter: reads its leaf certificate without trusting it, so the operator can compare
 * the thumbprint with the one vCenter shows and then pin it. Nothing but the TLS handshake is sent.
 */
export function fetchThumbprint(
  host: string,
  port = 443,
  options: FetchThumbprintOptions = {},
): Promise<CertificateInfo> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      servername: isIpAddress(host) ? undefined : host,
      // Reading the certificate is the whole point; nothing is trusted or sent over this socket.
      rejectUnauthorized: false,
    });
    socket.setTimeout(options.timeoutMs ?? 15_000, () =>
      socket.destroy(
        new MigrateKitError('MKE_UPSTREAM_TIMEOUT', { message: `TLS handshake with ${host}:${port} timed out` }),
      ),
    );
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!cert.raw) {
        reject(new MigrateKitError('MKE_UPSTREAM_TLS', { message: `${host}:${port} presented no certificate` }));
        return;
      }
      resolve(certificateInfo(cert));
    });
    socket.once('error', (error: Error) => {
      reject(
        error instanceof MigrateKitError
          ? error
          : new MigrateKitError('MKE_UPSTREAM_UNREACHABLE', {
              message: `Cannot reach ${host}:${port}: ${error.message}`,
              cause: error,
            }),
      );
    });
  });
}

export function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
