import { join } from 'node:path';
import { loadOrCreateSelfSignedCertificate, type RunFile } from '@migratekit/node-common';

// The simulator's certificate, made once in the data dir like a vCenter's own machine certificate (the shared
// self-signed implementation of @migratekit/node-common). Clients pin it by thumbprint.

export interface SimCertificate {
  cert: string;
  key: string;
  /** "AA:BB:..." as vSphere shows it. */
  sha1Thumbprint: string;
  sha256Thumbprint: string;
}

export async function loadOrCreateCertificate(
  dir: string,
  hostNames: string[],
  run?: RunFile,
): Promise<SimCertificate> {
  const pair = await loadOrCreateSelfSignedCertificate({
    certPath: join(dir, 'sim-vcenter.crt'),
    keyPath: join(dir, 'sim-vcenter.key'),
    commonName: 'vcenter-sim.migratekit.local',
    hostNames,
    ...(run === undefined ? {} : { run }),
  });
  return {
    cert: pair.cert,
    key: pair.key,
    sha1Thumbprint: pair.sha1Fingerprint,
    sha256Thumbprint: pair.sha256Fingerprint,
  };
}
