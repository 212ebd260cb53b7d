// How the agent reads a source disk as frozen by a snapshot. Production: nbdkit with VMware's vddk plugin
// (the customer supplies VDDK), serving the snapshot's disk on a unix socket. Simulation: the vCenter
// simulator's own NBD export of the snapshot disk. Both end as an NBD endpoint the copy engine opens.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrateKitError, systemClock, type Clock } from '@migratekit/core';
import { NbdClient, type NbdBackend } from '@migratekit/nbd';

export interface SourceDiskRef {
  vcenterHost: string;
  username: string;
  password: string;
  /** SHA-1 thumbprint of the vCenter/ESXi certificate, as VDDK wants it. */
  thumbprint?: string | undefined;
  /** VM managed object id, e.g. vm-123. */
  vmMoref: string;
  /** Snapshot managed object id, e.g. snapshot-45. */
  snapshotMoref: string;
  deviceKey: number;
  /** "[datastore] folder/disk.vmdk" of the disk (the base file; VDDK resolves the snapshot chain). */
  fileName: string;
}

export interface OpenedSourceDisk {
  /** Opens one more NBD connection to the disk (the copy engine opens several). */
  connect(): Promise<NbdBackend>;
  close(): Promise<void>;
}

export interface DiskAccess {
  open(disk: SourceDiskRef): Promise<OpenedSourceDisk>;
}

/** Simulation: `nbd://host:port/<vm>/<snapshot>/<disk key>` served by packages/sim-vcenter. */
export class SimulatorDiskAccess implements DiskAccess {
  constructor(private readonly nbd: { host: string; port: number }) {}

  uri(disk: Pick<SourceDiskRef, 'vmMoref' | 'snapshotMoref' | 'deviceKey'>): string {
    const host = this.nbd.host.includes(':') ? `[${this.nbd.host}]` : this.nbd.host;
    return `nbd://${host}:${this.nbd.port}/${disk.vmMoref}/${disk.snapshotMoref}/${disk.deviceKey}`;
  }

  open(disk: SourceDiskRef): Promise<OpenedSourceDisk> {
    const uri = this.uri(disk);
    return Promise.resolve({ connect: () => NbdClient.connect(uri), close: () => Promise.resolve() });
  }
}

export interface VddkOptions {
  /** Directory holding VDDK (vmware-vix-disklib-distrib), nbdkit's `libdir=`. */
  libdir: string;
  /** Transport modes in order of preference (VDDK `transports=`), e.g. ["nbdssl", "nbd"] or ["hotadd", "nbdssl"]. */
  transports?: string[];
  nbdkitPath?: string;
  /** Extra VDDK config file (`config=`), e.g. for VixDiskLib.nfcAio settings. */
  configFile?: string;
}

export interface NbdkitCommand {
  command: string;
  args: string[];
  /** Written to nbdkit's stdin: the password, because `password=-` reads it from there (never on argv). */
  stdin: string;
}

/** The nbdkit command line for one snapshot disk through VDDK. Pure: tested without VDDK. */
export function buildNbdkitVddkCommand(disk: SourceDiskRef, options: VddkOptions, socketPath: string): NbdkitCommand {
  if (disk.thumbprint === undefined || disk.thumbprint === '')
    throw new MigrateKitError('MKE_VALIDATION', {
      message: 'VDDK needs the vCenter certificate thumbprint',
      field: 'thumbprint',
    });
  const [host, port] = disk.vcenterHost.split(/:(?=\d+$)/);
  const args = [
    '--exit-with-parent',
    '--readonly',
    '--foreground',
    '--unix',
    socketPath,
    '--newstyle',
    'vddk',
    `libdir=${options.libdir}`,
    `server=${host ?? disk.vcenterHost}`,
    ...(port === undefined ? [] : [`port=${port}`]),
    `user=${disk.username}`,
    'password=-',
    `thumbprint=${disk.thumbprint}`,
    `vm=moref=${disk.vmMoref}`,
    `snapshot=${disk.snapshotMoref}`,
    `file=${disk.fileName}`,
    ...(options.transports === undefined || options.transports.length === 0
      ? []
      : [`transports=${options.transports.join(':')}`]),
    ...(options.configFile === undefined ? [] : [`config=${options.configFile}`]),
  ];
  return { command: options.nbdkitPath ?? 'nbdkit', args, stdin: `${disk.password}\n` };
}

/** Production: one nbdkit-vddk process per disk, on a private unix socket, stopped when the disk is closed. */
export class NbdkitVddkDiskAccess implements DiskAccess {
  constructor(
    private readonly options: VddkOptions,
    private readonly deps: { spawn?: typeof spawn; clock?: Clock; startTimeoutMs?: number } = {},
  ) {}

  async open(disk: SourceDiskRef): Promise<OpenedSourceDisk> {
    const dir = await mkdtemp(join(tmpdir(), 'mk-vddk-'));
    const socketPath = join(dir, 'nbd.sock');
    const cmd = buildNbdkitVddkCommand(disk, this.options, socketPath);
    const child: ChildProcess = (this.deps.spawn ?? spawn)(cmd.command, cmd.args, {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    child.stdin?.end(cmd.stdin);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
    const clock = this.deps.clock ?? systemClock;
    const deadline = clock.now().getTime() + (this.deps.startTimeoutMs ?? 60_000);
    const stop = async (): Promise<void> => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    };
    for (;;) {
      if (child.exitCode !== null) {
        await stop();
        throw new MigrateKitError('MKE_UPSTREAM_ERROR', {
          message: `nbdkit vddk exited (${child.exitCode}): ${stderr.trim() || 'no output'}`,
        });
      }
      if (
        await stat(socketPath).then(
          () => true,
          () => false,
        )
      )
        break;
      if (clock.now().getTime() > deadline) {
        await stop();
        throw new MigrateKitError('MKE_UPSTREAM_TIMEOUT', { message: 'nbdkit vddk did not start in time' });
      }
      await clock.sleep(100);
    }
    return { connect: () => NbdClient.connect({ socketPath }), close: stop };
  }
}
