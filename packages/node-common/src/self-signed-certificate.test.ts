import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadOrCreateSelfSignedCertificate, subjectAltNames } from './self-signed-certificate';

const skip = existsSync('/usr/bin/openssl') ? false : 'openssl is not installed';

describe('self-signed certificates', { timeout: 60_000 }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mk-node-common-cert-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('IP literals become IP entries, names DNS entries, localhost and 127.0.0.1 always present', () => {
    assert.equal(
      subjectAltNames(['10.0.0.5', 'oma.example', '::1', 'localhost']),
      'DNS:localhost,IP:127.0.0.1,IP:10.0.0.5,DNS:oma.example,IP:::1',
    );
  });

  test(
    'made in a missing directory, fingerprints of the real certificate; a lost key makes a new pair',
    { skip },
    async () => {
      const options = {
        certPath: join(dir, 'nested', 'a.crt'),
        keyPath: join(dir, 'nested', 'a.key'),
        commonName: 'unit-test',
        hostNames: ['10.1.2.3'],
      };
      const first = await loadOrCreateSelfSignedCertificate(options);
      const x509 = new X509Certificate(first.cert);
      assert.equal(first.sha1Fingerprint, x509.fingerprint);
      assert.equal(first.sha256Fingerprint, x509.fingerprint256);
      assert.match(first.sha256Fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.match(x509.subject, /CN=unit-test/);
      assert.match(x509.subjectAltName ?? '', /IP Address:10\.1\.2\.3/);
      assert.ok(x509.checkPrivateKey(createPrivateKey(first.key)));

      await unlink(options.keyPath);
      const second = await loadOrCreateSelfSignedCertificate(options);
      assert.notEqual(second.sha256Fingerprint, first.sha256Fingerprint);
    },
  );
});
