// Thumbprint pinning against a local TLS server with an openssl-made self-signed certificate: a refused
// certificate must see no request byte at all (the Login body carries the password).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createServer as createNetServer } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { isMigrateKitError, skipUnlessPeer } from '@migratekit/core';
import { createHttpsTransport } from '../soap/https-transport';
import { fetchThumbprint, formatThumbprint, normalizeThumbprint, thumbprintMatches } from './thumbprint';

const hasOpenssl = existsSync('/usr/bin/openssl');
const skip = skipUnlessPeer('openssl', hasOpenssl);
let dir: string;
let cert: string;
let server: Server;
let port: number;
let received = 0;

before(async () => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'mk-tls-'));
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (socket) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      const body = '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="x"><soapenv:Body/></soapenv:Envelope>';
      socket.end(
        `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(() => {
  if (!hasOpenssl) return;
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = { body: '<login password="secret"/>', soapAction: 'urn:vim25/8.0', cookie: undefined };

test('thumbprints normalise from any vCenter notation and compare by digest length', { timeout: 120_000 }, () => {
  const sha1 = '2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9';
  assert.equal(normalizeThumbprint(sha1), '2c11edd713877db57418b81c42c2561f0db95bb9');
  assert.equal(
    normalizeThumbprint('2c 11 ed d7 13 87 7d b5 74 18 b8 1c 42 c2 56 1f 0d b9 5b b9'),
    normalizeThumbprint(sha1),
  );
  assert.equal(formatThumbprint('2c11edd713877db57418b81c42c2561f0db95bb9'), sha1);
  assert.throws(
    () => normalizeThumbprint('2C:11'),
    (e: unknown) => isMigrateKitError(e) && e.field === 'thumbprint',
  );
  assert.throws(() => normalizeThumbprint('zz'.repeat(20)));
  const actual = { sha1, sha256: formatThumbprint('ab'.repeat(32)) };
  assert.ok(thumbprintMatches(sha1.toLowerCase(), actual));
  assert.ok(thumbprintMatches('AB'.repeat(32), actual));
  assert.ok(!thumbprintMatches('AC'.repeat(32), actual));
  // A malformed pin is refused when the transport is built, before any connection.
  assert.throws(
    () => createHttpsTransport({ host: 'vc.example.com', thumbprint: 'not-a-thumbprint' }),
    (e: unknown) => isMigrateKitError(e) && e.code === 'MKE_VALIDATION',
  );
});

test('fetchThumbprint reads the leaf certificate as vCenter shows it', { timeout: 120_000, skip }, async () => {
  const info = await fetchThumbprint('127.0.0.1', port);
  const x509 = new X509Certificate(cert);
  assert.equal(info.sha1, x509.fingerprint);
  assert.equal(info.sha256, x509.fingerprint256);
  assert.match(info.subject, /CN=localhost/);
});

test(
  'a pinned thumbprint is accepted; a wrong pin or an untrusted certificate sends nothing',
  { timeout: 120_000, skip },
  async () => {
    const x509 = new X509Certificate(cert);
    received = 0;
    const pinned = createHttpsTransport({ host: '127.0.0.1', port, thumbprint: x509.fingerprint256 });
    const ok = await pinned.post(request);
    assert.equal(ok.status, 200);
    assert.ok(received > 0);
    pinned.close();

    received = 0;
    const wrong = createHttpsTransport({ host: '127.0.0.1', port, thumbprint: 'AB'.repeat(20) });
    await assert.rejects(wrong.post(request), (error: unknown) => {
      return (
        isMigrateKitError(error) && error.code === 'MKE_UPSTREAM_TLS' && error.details?.reason === 'thumbprint_mismatch'
      );
    });
    const unpinned = createHttpsTransport({ host: '127.0.0.1', port });
    await assert.rejects(unpinned.post(request), (error: unknown) => {
      return (
        isMigrateKitError(error) &&
        error.code === 'MKE_UPSTREAM_TLS' &&
        error.details?.reason === 'untrusted_certificate' &&
        error.details.sha1 === x509.fingerprint
      );
    });
    assert.equal(received, 0, 'no request byte reached a server whose certificate was refused');
    wrong.close();
    unpinned.close();
  },
);

test(
  'without a pin, a certificate signed by a trusted CA for the right name is accepted',
  { timeout: 120_000, skip },
  async () => {
    const trusted = createHttpsTransport({ host: 'localhost', port, ca: cert });
    assert.equal((await trusted.post(request)).status, 200);
    trusted.close();
  },
);

test(
  'a server that drops the connection during the handshake is MKE_UPSTREAM_UNREACHABLE',
  { timeout: 120_000 },
  async () => {
    const dropper = createNetServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const dropPort = (dropper.address() as { port: number }).port;
    try {
      const transport = createHttpsTransport({ host: '127.0.0.1', port: dropPort, thumbprint: 'AB'.repeat(32) });
      await assert.rejects(transport.post(request), (error: unknown) => {
        return isMigrateKitError(error) && error.code === 'MKE_UPSTREAM_UNREACHABLE';
      });
      transport.close();
      await assert.rejects(fetchThumbprint('127.0.0.1', dropPort), (error: unknown) => {
        return isMigrateKitError(error) && error.code === 'MKE_UPSTREAM_UNREACHABLE';
      });
    } finally {
      dropper.close();
    }
  },
);
