// startVolumeSubsystem: certificate on first start, NBD target listening with TLS, reconciliation, and a
// daemon that works end to end against the simulator.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { randomBytes, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { systemClock } from '@migratekit/core';
import { NbdClient, silentLogger } from '@migratekit/nbd';
import { cloudStackClientFromConfig } from '../../src/cloudstack';
import { NBD_CERT_FILE } from '../../src/nbd-target';
import { startVolumeSubsystem, volumeExportName } from '../../src/volumes';
import { API_KEY, SECRET_KEY, startVolumeFixture, type VolumeFixture } from './volume-fixture';

let fx: VolumeFixture;

before(async () => {
  fx = await startVolumeFixture();
});
after(async () => {
  await fx.close();
});

test(
  'startVolumeSubsystem makes a certificate, listens with TLS, reconciles, and serves attached volumes',
  { timeout: 120_000 },
  async () => {
    const contextId = await fx.newContext('subsystem-vm');
    const row = await fx.daemon.ensureVolume({ contextId, diskId: 'disk-2000', sizeBytes: 1024 ** 3, name: 'sub-1' });
    await fx.daemon.attachToServer(row.volume_id);
    await fx.target.close();

    const dataDir = join(fx.dir, 'server-data');
    const psk = new Map<string, Buffer>();
    const subsystem = await startVolumeSubsystem({
      cloudstack: cloudStackClientFromConfig({ apiUrl: fx.sim.hostPort, apiKey: API_KEY, secretKey: SECRET_KEY }),
      repositories: fx.repositories,
      clock: systemClock,
      logger: silentLogger,
      dataDir,
      serverVmId: fx.sim.serverVmId,
      byIdDir: fx.byIdDir,
      deviceWaitTimeoutMs: 5_000,
      nbd: { port: 0, host: '127.0.0.1', psk },
    });
    try {
      assert.ok(existsSync(join(dataDir, NBD_CERT_FILE)));
      assert.equal(new X509Certificate(subsystem.certificate.cert).fingerprint256, subsystem.target.fingerprint256);
      assert.deepEqual(subsystem.reconcile?.exportsRestored, [row.volume_id]);
      // A key added after start-up is honoured (the replication service adds one per job).
      const key = randomBytes(32);
      psk.set('job-1', key);
      const client = await NbdClient.connect({
        host: '127.0.0.1',
        port: subsystem.port,
        exportName: volumeExportName(row.volume_id),
        tls: { mode: 'require', psk: { identity: 'job-1', key } },
      });
      assert.equal(client.size, 1024 ** 3);
      await client.close();
      await subsystem.daemon.deleteContextVolumes(contextId);
      assert.deepEqual(subsystem.target.listExports(), []);
    } finally {
      await subsystem.close();
    }
  },
);
