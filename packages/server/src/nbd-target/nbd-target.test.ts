import assert from 'node:assert/strict';
import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { NbdClient } from '@migratekit/nbd';
import { NbdTarget } from './nbd-target';
import { loadOrCreateServerCertificate } from './server-certificate';

const VOLUME = '4f2a9c1e-0b3d-4e5f-8a7b-9c0d1e2f3a4b';
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mk-nbd-target-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a self-signed certificate is made once in the data dir and reused', { timeout: 120_000 }, async () => {
  const runs: string[][] = [];
  const run = async (file: string, args: string[]): Promise<unknown> => {
    runs.push([file, ...args]);
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    return promisify(execFile)(file, args);
  };
  const first = await loadOrCreateServerCertificate({ dataDir: join(dir, 'data'), hostNames: ['oma.example'], run });
  const second = await loadOrCreateServerCertificate({ dataDir: join(dir, 'data'), run });
  assert.equal(runs.length, 1, 'openssl ran once');
  for (const file of [first.keyPath, first.certPath]) assert.equal(statSync(file).mode & 0o777, 0o600, file);
  assert.equal(second.fingerprint256, first.fingerprint256);
  const x509 = new X509Certificate(first.cert);
  assert.equal(x509.fingerprint256, first.fingerprint256);
  assert.match(x509.subjectAltName ?? '', /DNS:oma\.example/);
});

test('volume exports need TLS and an agent identity; removal closes them', { timeout: 120_000 }, async () => {
  const certificate = await loadOrCreateServerCertificate({ dataDir: join(dir, 'data') });
  const agentKey = randomBytes(32);
  const otherKey = randomBytes(32);
  const target = new NbdTarget({
    port: 0,
    host: '127.0.0.1',
    tls: {
      cert: certificate.cert,
      key: certificate.key,
      psk: new Map([
        ['agent-1', agentKey],
        ['someone-else', otherKey],
      ]),
    },
    fingerprint256: certificate.fingerprint256,
    isAgent: (identity) => identity === 'agent-1',
  });
  const device = join(dir, 'vdb.img');
  await writeFile(device, '');
  await truncate(device, 1024 * 1024);
  await target.start();
  try {
    const name = await target.addVolumeExport(VOLUME, device);
    assert.equal(name, `vol-${VOLUME}`);
    assert.equal(await target.addVolumeExport(VOLUME, device), name, 'idempotent for the same device');
    assert.equal(target.fingerprint256, certificate.fingerprint256);
    const options = { host: '127.0.0.1', port: target.port };

    const agent = await NbdClient.connect({
      ...options,
      exportName: name,
      tls: { mode: 'require', psk: { identity: 'agent-1', key: agentKey } },
    });
    await agent.write(0, Buffer.alloc(4096, 1));
    assert.deepEqual(await agent.read(0, 4096), Buffer.alloc(4096, 1));
    assert.deepEqual(
      target.listExports().map((e) => [e.name, e.connections, e.size]),
      [[name, 1, 1024 * 1024]],
    );

    const listed = await NbdClient.list({
      ...options,
      tls: { mode: 'require', psk: { identity: 'someone-else', key: otherKey } },
    });
    assert.deepEqual(listed, [], 'a non-agent identity sees no volume export');
    await assert.rejects(
      NbdClient.connect({
        ...options,
        exportName: name,
        tls: { mode: 'require', psk: { identity: 'someone-else', key: otherKey } },
      }),
    );
    await assert.rejects(NbdClient.connect({ ...options, exportName: name }), 'plaintext is refused');

    assert.equal(await target.removeVolumeExport(VOLUME), true);
    assert.equal(await target.removeVolumeExport(VOLUME), false);
    assert.deepEqual(target.listExports(), []);
    await assert.rejects(agent.read(0, 512), 'the connection of a removed export is closed');
    await agent.close().catch(() => undefined);
  } finally {
    await target.close();
  }
});
