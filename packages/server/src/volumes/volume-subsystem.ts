// Start-up of the volume side of the server: the NBD target (certificate made on first start), the volume
// daemon on the CloudStack client of the active configuration, and start-up reconciliation. The server runtime
// (and `migratekit dev`) call this once the database is ready; close() stops the target.
import type { Clock } from '@migratekit/core';
import type { Repositories } from '@migratekit/db';
import type { NbdLogger, PskKeys } from '@migratekit/nbd';
import { DEFAULT_NBD_PORT, NbdTarget } from '../nbd-target/nbd-target';
import { loadOrCreateServerCertificate, type RunFile, type ServerCertificate } from '../nbd-target/server-certificate';
import type { DeviceFs } from './device-resolver';
import { VolumeDaemon } from './volume-daemon';
import type { VolumeCloud, VolumeLogger } from './volume-daemon.types';
import type { ReconcileReport } from './volume-reconciler';

export const DEFAULT_BY_ID_DIR = '/dev/disk/by-id';

export interface VolumeSubsystemOptions {
  cloudstack: VolumeCloud;
  repositories: Repositories;
  clock: Clock;
  logger: VolumeLogger & NbdLogger;
  /** Holds the generated NBD certificate when none is configured. */
  dataDir: string;
  serverVmId: string;
  byIdDir?: string;
  deviceWaitTimeoutMs?: number;
  fs?: DeviceFs;
  nbd?: {
    /** Default 10809; 0 picks a free port. */
    port?: number;
    host?: string;
    certPath?: string;
    keyPath?: string;
    /** Names put in a generated certificate's subjectAltName. */
    hostNames?: string[];
    /** identity -> key; read at each handshake, so keys added later are honoured. */
    psk?: PskKeys;
    isAgent?: (identity: string) => boolean;
    run?: RunFile;
  };
  /** Run reconcileAtStartup before returning (default true). */
  reconcile?: boolean;
}

export interface VolumeSubsystem {
  daemon: VolumeDaemon;
  target: NbdTarget;
  certificate: ServerCertificate;
  /** The port the NBD target listens on. */
  port: number;
  reconcile: ReconcileReport | undefined;
  close(): Promise<void>;
}

export async function startVolumeSubsystem(options: VolumeSubsystemOptions): Promise<VolumeSubsystem> {
  const nbd = options.nbd ?? {};
  const certificate = await loadOrCreateServerCertificate({
    dataDir: options.dataDir,
    ...(nbd.hostNames === undefined ? {} : { hostNames: nbd.hostNames }),
    ...(nbd.certPath === undefined ? {} : { certPath: nbd.certPath }),
    ...(nbd.keyPath === undefined ? {} : { keyPath: nbd.keyPath }),
    ...(nbd.run === undefined ? {} : { run: nbd.run }),
  });
  const target = new NbdTarget({
    port: nbd.port ?? DEFAULT_NBD_PORT,
    ...(nbd.host === undefined ? {} : { host: nbd.host }),
    tls: { cert: certificate.cert, key: certificate.key, ...(nbd.psk === undefined ? {} : { psk: nbd.psk }) },
    fingerprint256: certificate.fingerprint256,
    ...(nbd.isAgent === undefined ? {} : { isAgent: nbd.isAgent }),
    logger: options.logger,
    clock: options.clock,
  });
  const port = await target.start();
  const daemon = new VolumeDaemon({
    cloudstack: options.cloudstack,
    repositories: options.repositories,
    clock: options.clock,
    logger: options.logger,
    nbdTarget: target,
    byIdDir: options.byIdDir ?? DEFAULT_BY_ID_DIR,
    serverVmId: options.serverVmId,
    deviceWaitTimeoutMs: options.deviceWaitTimeoutMs ?? 60_000,
    ...(options.fs === undefined ? {} : { fs: options.fs }),
  });
  let reconcile: ReconcileReport | undefined;
  try {
    if (options.reconcile ?? true) {
      reconcile = await daemon.reconcileAtStartup();
      options.logger.info(
        {
          completed: reconcile.completed.length,
          failed: reconcile.failed.length,
          undecided: reconcile.undecided.length,
          exportsRestored: reconcile.exportsRestored.length,
          exportsFailed: reconcile.exportsFailed.length,
        },
        'volume daemon reconciled',
      );
    }
  } catch (error) {
    await target.close();
    throw error;
  }
  options.logger.info({ port, fingerprint256: certificate.fingerprint256 }, 'nbd target listening');
  return { daemon, target, certificate, port, reconcile, close: () => target.close() };
}
