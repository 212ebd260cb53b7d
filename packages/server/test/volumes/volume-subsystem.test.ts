// The volume side of `migratekit server` start-up: a server started with no CloudStack configuration answers
// MKE_NOT_CONFIGURED for volume work, picks a configuration up as soon as it is created (no restart), and on
// the next start reconciles: the exports of volumes still attached to the server are restored, served over TLS.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes, X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { NbdClient } from '@migratekit/nbd';
import { loadServerConfig, type ServerConfig } from '../../src/config/server-config';
import { createLogger } from '../../src/logging/logger';
import { NBD_CERT_FILE } from '../../src/nbd-target';
import { startServer } from '../../src/server-runtime';
import { volumeExportName } from '../../src/volumes';
import { API_KEY, SECRET_KEY, startVolumeFixture, type VolumeFixture } from './volume-fixture';

let fx: VolumeFixture;
let dataDir: string;
let config: ServerConfig;

before(async () => {
  fx = await startVolumeFixture();
  dataDir = mkdtempSync(join(tmpdir(), 'migratekit-server-'));
  config = loadServerConfig(
    {
      MIGRATEKIT_DATA_DIR: dataDir,
      DATABASE_URL: fx.database.url,
      PORT: '0',
      MIGRATEKIT_AGENT_PORT: '0',
      MIGRATEKIT_NBD_LISTENER: 'on',
      MIGRATEKIT_NBD_PORT: '0',
      MIGRATEKIT_NBD_HOST: '127.0.0.1',
      MIGRATEKIT_BY_ID_DIR: fx.byIdDir,
      MIGRATEKIT_ADMIN_PASSWORD: 'volume-test-admin',
    },
    {},
  );
});
after(async () => {
  await fx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const logger = createLogger({ level: 'silent' });
const admin = { userId: 'u-test', username: 'admin', role: 'admin', via: 'token', credentialId: 't' } as const;

test(
  'a server without CloudStack says so, takes a configuration without restart, and restores exports at start',
  { timeout: 60_000 },
  async () => {
    const contextId = await fx.newContext('subsystem-vm');
    const first = await startServer({ config, logger });
    try {
      await assert.rejects(
        first.services.volumes.ensureVolume({ contextId, diskId: 'disk-2000', sizeBytes: 1024 ** 3, name: 'sub-1' }),
        { code: 'MKE_NOT_CONFIGURED' },
      );
      await first.services.cloudStackConfigs.create(
        {
          name: 'sim',
          api_url: fx.sim.hostPort,
          api_key: API_KEY,
          secret_key: SECRET_KEY,
          server_vm_id: fx.sim.serverVmId,
        },
        { principal: admin },
      );
      const row = await first.services.volumes.ensureVolume({
        contextId,
        diskId: 'disk-2000',
        sizeBytes: 1024 ** 3,
        name: 'sub-1',
      });
      await first.services.volumes.attachToServer(row.volume_id);
    } finally {
      await first.close();
    }

    const second = await startServer({ config, logger });
    try {
      assert.ok(existsSync(join(dataDir, NBD_CERT_FILE)));
      const certificate = second.composition.adapters.certificate;
      assert.equal(
        new X509Certificate(readFileSync(join(dataDir, NBD_CERT_FILE))).fingerprint256,
        certificate.fingerprint256,
      );
      const [volume] = await fx.repositories.cloudstackVolumes.listByContext(contextId);
      assert.ok(volume);
      assert.ok(second.composition.adapters.nbdTarget.hasVolumeExport(volume.volume_id), 'export restored at start');
      // A key added after start-up is honoured (the replication service adds one per job).
      const key = randomBytes(32);
      second.composition.adapters.nbdPsk.set('job-1', key);
      const client = await NbdClient.connect({
        host: '127.0.0.1',
        port: second.nbdPort,
        exportName: volumeExportName(volume.volume_id),
        tls: { mode: 'require', psk: { identity: 'job-1', key } },
      });
      assert.equal(client.size, 1024 ** 3);
      await client.close();
      await second.services.volumes.deleteContextVolumes(contextId);
      assert.equal(second.composition.adapters.nbdTarget.hasVolumeExport(volume.volume_id), false);
    } finally {
      await second.close();
    }
  },
);
