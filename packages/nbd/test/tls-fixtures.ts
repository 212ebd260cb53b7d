import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

// Certificates made at test time with openssl: a CA, a server certificate for localhost/127.0.0.1, a client
// certificate, and a second unrelated CA whose certificates must be refused. Directory layout follows
// nbdkit/libnbd (ca-cert.pem, server-cert.pem, server-key.pem, client-cert.pem, client-key.pem).

export interface TlsFixtures {
  dir: string;
  /** Directory with the CA, server and client certificates. */
  certDir: string;
  /** Same file names, signed by an unrelated CA. */
  wrongDir: string;
  pskFile: string;
  pskIdentity: string;
  pskKey: Buffer;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca-cert.pem',
      '-days',
      '2',
    ].concat([
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]),
    dir,
  );
}

function makeLeaf(dir: string, role: 'server' | 'client', cn: string): void {
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${role}-key.pem`, '-out', `${role}.csr`, '-subj', `/CN=${cn}`],
    dir,
  );
  const ext = join(dir, `${role}.ext`);
  writeFileSync(
    ext,
    role === 'server'
      ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
      : 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
  );
  openssl(
    ['x509', '-req', '-in', `${role}.csr`, '-CA', 'ca-cert.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial'].concat([
      '-out',
      `${role}-cert.pem`,
      '-days',
      '2',
      '-extfile',
      ext,
    ]),
    dir,
  );
}

export function makeTlsFixtures(): TlsFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'mk-nbd-tls-'));
  const certDir = join(dir, 'good');
  const wrongDir = join(dir, 'wrong');
  for (const [d, ca] of [
    [certDir, 'migratekit-test-ca'],
    [wrongDir, 'unrelated-ca'],
  ] as const) {
    execFileSync('mkdir', ['-p', d]);
    makeCa(d, ca);
    makeLeaf(d, 'server', 'localhost');
    makeLeaf(d, 'client', 'migratekit-agent');
  }
  const pskIdentity = 'agent-1';
  const pskKey = randomBytes(32);
  const pskFile = join(dir, 'keys.psk');
  writeFileSync(pskFile, `${pskIdentity}:${pskKey.toString('hex')}\n`, { mode: 0o600 });
  return {
    dir,
    certDir,
    wrongDir,
    pskFile,
    pskIdentity,
    pskKey,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
