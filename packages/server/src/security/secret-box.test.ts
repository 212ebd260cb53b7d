import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { MigrateKitError } from '@migratekit/core';
import { SecretBox } from './secret-box';

const key = randomBytes(32);

test('seal produces a versioned ciphertext that opens to the plaintext', { timeout: 120_000 }, () => {
  const box = new SecretBox(key);
  const sealed = box.seal('vc-Passw0rd!', 'ctx');
  assert.match(sealed, /^v1:[\w-]+:[\w-]+:[\w-]+$/);
  assert.ok(!sealed.includes('vc-Passw0rd!'));
  assert.equal(box.open(sealed, 'ctx'), 'vc-Passw0rd!');
});

test('the same plaintext seals differently each time (random IV)', { timeout: 120_000 }, () => {
  const box = new SecretBox(key);
  assert.notEqual(box.seal('same'), box.seal('same'));
});

test('a ciphertext does not open under another context, key, or after tampering', { timeout: 120_000 }, () => {
  const box = new SecretBox(key);
  const sealed = box.seal('secret', 'vmware_credentials.password:cred-1');
  assert.throws(
    () => box.open(sealed, 'vmware_credentials.password:cred-2'),
    (e) => e instanceof MigrateKitError && e.code === 'MKE_SECRET_UNREADABLE',
  );
  assert.throws(
    () => new SecretBox(randomBytes(32)).open(sealed, 'vmware_credentials.password:cred-1'),
    MigrateKitError,
  );
  const parts = sealed.split(':');
  const ct = Buffer.from(parts[3] ?? '', 'base64url');
  ct[0] = (ct[0] ?? 0) ^ 1;
  const tampered = [parts[0], parts[1], parts[2], ct.toString('base64url')].join(':');
  assert.throws(() => box.open(tampered, 'vmware_credentials.password:cred-1'), MigrateKitError);
  assert.throws(() => box.open('plain-text-password'), MigrateKitError);
});

test('unicode and empty secrets round-trip; the key must be 32 bytes', { timeout: 120_000 }, () => {
  const box = new SecretBox(key);
  assert.equal(box.open(box.seal('')), '');
  assert.equal(box.open(box.seal('pässwörd-密码')), 'pässwörd-密码');
  assert.throws(() => new SecretBox(randomBytes(16)), /32-byte key/);
});
