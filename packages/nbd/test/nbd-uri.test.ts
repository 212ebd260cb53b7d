import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNbdUri, parsePskFile } from '../src/index';

test('nbd:// URIs give host, port and export like libnbd', { timeout: 120_000 }, () => {
  assert.deepEqual(parseNbdUri('nbd://example.com:10900/vol-1'), {
    tls: false,
    host: 'example.com',
    port: 10900,
    exportName: 'vol-1',
    tlsVerifyPeer: true,
  });
  const def = parseNbdUri('nbd://localhost');
  assert.equal(def.port, 10809);
  assert.equal(def.exportName, '');
  assert.equal(parseNbdUri('nbd://[::1]:99/a%20b').host, '::1');
  assert.equal(parseNbdUri('nbd://[::1]:99/a%20b').exportName, 'a b');
});

test('nbds+unix:// and TLS query parameters', { timeout: 120_000 }, () => {
  const uri = parseNbdUri('nbds+unix:///disk?socket=/run/nbd.sock&tls-psk-file=/etc/keys.psk&tls-username=agent');
  assert.equal(uri.tls, true);
  assert.equal(uri.socketPath, '/run/nbd.sock');
  assert.equal(uri.exportName, 'disk');
  assert.equal(uri.tlsPskFile, '/etc/keys.psk');
  assert.equal(uri.tlsUsername, 'agent');
  assert.equal(parseNbdUri('nbds://h/e?tls-certificates=/pki').tlsCertificates, '/pki');
  assert.equal(parseNbdUri('nbds://h/e?tls-verify-peer=false').tlsVerifyPeer, false);
  assert.throws(() => parseNbdUri('nbd+unix:///disk'), /socket/);
  assert.throws(() => parseNbdUri('http://h/e'), /scheme/);
});

test('PSK files in psktool format', { timeout: 120_000 }, () => {
  const keys = parsePskFile('# comment\nalice:00ff10\n\nbob:abcd\n');
  assert.deepEqual([...keys.keys()], ['alice', 'bob']);
  assert.deepEqual(keys.get('alice'), Buffer.from([0, 0xff, 0x10]));
  assert.throws(() => parsePskFile('alice:xyz\n'));
  assert.throws(() => parsePskFile('\n'));
});
