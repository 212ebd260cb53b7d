import { createServer } from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { systemClock } from '@migratekit/core';
import type { Clock } from '@migratekit/core';
import { demoInventory } from './demo-inventory';
import { GuestWriteGenerator } from './guest-write-generator';
import type { GuestWriteGeneratorOptions } from './guest-write-generator';
import type { InventorySpec } from './inventory-spec';
import { SnapshotDiskReader } from './snapshot-disk-reader';
import type { SimVm } from './sim-vm';
import { SoapService } from './soap-service';
import { loadOrCreateCertificate } from './tls-certificate';
import { VCenterEngine } from './vcenter-engine';
import { handleControl } from './control-routes';
import { VimFault } from './vim-fault';
import { SnapshotNbdExport } from './snapshot-nbd-export';
import { vimServiceVersionsXml } from './vim-version';

// startVCenterSimulator: the vim25 SOAP endpoint at /sdk over HTTPS, plus /_sim control routes.

export interface SimLogger {
  debug?(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface VCenterSimulatorOptions {
  dataDir: string;
  /** 0 or absent: an ephemeral port. */
  port?: number;
  host?: string;
  inventory?: InventorySpec;
  username?: string;
  password?: string;
  clock?: Clock;
  guestShutdownDelayMs?: number;
  maxChangedAreas?: number;
  /** How long each vim25 Task takes, reporting progress on the way (default 0: done at once). */
  taskDurationMs?: number;
  /** Start the random guest-write generator at once (the demo); tests drive it by hand. */
  guestWrites?: GuestWriteGeneratorOptions | false;
  logger?: SimLogger;
  /** Serve every snapshot disk over NBD (the stand-in for nbdkit-vddk). Port 0: ephemeral. */
  nbd?: { port?: number; host?: string };
}

export interface SimDiskInfo {
  key: number;
  label: string;
  capacity: number;
  fileName: string;
  path: string;
  changeId: string | undefined;
}

export interface SimVmInfo {
  id: string;
  name: string;
  powerState: string;
  cbtEnabled: boolean;
  disks: SimDiskInfo[];
  snapshots: Array<{ id: string; name: string }>;
}

export interface VCenterSimulator {
  /** https://host:port/sdk */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly certificatePem: string;
  readonly thumbprints: { sha1: string; sha256: string };
  readonly engine: VCenterEngine;
  readonly guestWrites: GuestWriteGenerator;
  listVms(): SimVmInfo[];
  /** A guest write into a VM's disk (VM by id or name). */
  writeGuest(vm: string, diskKey: number, offset: number, data: Buffer): Promise<void>;
  /** The disk's current content. */
  readDisk(vm: string, diskKey: number, offset: number, length: number): Promise<Buffer>;
  /** A snapshot's frozen disk content (snapshot by id or name), as an NbdBackend. */
  snapshotReader(vm: string, snapshot: string, diskKey: number): SnapshotDiskReader;
  /**
   * The next `times` calls of `method` fail with a vim25 fault of `faultType` (a *_Task method fails inside
   * its task, as vCenter reports task errors). For error-path tests.
   */
  injectFault(
    method: string,
    faultType: string,
    options?: { message?: string; times?: number; fields?: Record<string, string> },
  ): void;
  /** Drops every login session, as a vCenter restart or idle timeout does (clients must log in again). */
  expireSessions(): void;
  /** Present with the `nbd` option: where snapshot disks are exported. */
  readonly nbd: { host: string; port: number; uri(vm: string, snapshot: string, diskKey: number): string } | undefined;
  close(): Promise<void>;
}

export const DEFAULT_USERNAME = 'administrator@vsphere.local';
export const DEFAULT_PASSWORD = 'MigrateKit-Sim1!';

function vmInfo(vm: SimVm): SimVmInfo {
  return {
    id: vm.ref.value,
    name: vm.name,
    powerState: vm.powerState,
    cbtEnabled: vm.cbtEnabled,
    disks: vm.disks.map((d) => ({
      key: d.key,
      label: d.label,
      capacity: d.capacity,
      fileName: d.fileName,
      path: d.disk.path,
      changeId: d.disk.cbt.currentChangeId,
    })),
    snapshots: vm.snapshots.map((s) => ({ id: s.ref.value, name: s.name })),
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
      } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

export async function startVCenterSimulator(options: VCenterSimulatorOptions): Promise<VCenterSimulator> {
  const host = options.host ?? '127.0.0.1';
  const username = options.username ?? DEFAULT_USERNAME;
  const password = options.password ?? DEFAULT_PASSWORD;
  await mkdir(options.dataDir, { recursive: true });
  const engine = new VCenterEngine({
    dataDir: options.dataDir,
    inventory: options.inventory ?? demoInventory,
    clock: options.clock ?? systemClock,
    username,
    password,
    guestShutdownDelayMs: options.guestShutdownDelayMs ?? 3000,
    onSaveError: (error) => options.logger?.warn({ err: String(error) }, 'simulator state save failed'),
    maxChangedAreas: options.maxChangedAreas ?? 1000,
    taskDurationMs: options.taskDurationMs ?? 0,
  });
  await engine.start();
  const soap = new SoapService(engine);
  const certificate = await loadOrCreateCertificate(options.dataDir, [host]);

  const findVm = (id: string): SimVm => {
    const vm = engine.findVm(id);
    if (!vm) throw new Error(`no VM ${id}`);
    return vm;
  };
  const diskOf = (vm: SimVm, key: number): SimVm['disks'][number] => {
    const d = vm.findDisk(key);
    if (!d) throw new Error(`VM ${vm.name} has no disk ${key}`);
    return d;
  };
  const writeGuest = async (vmId: string, diskKey: number, offset: number, data: Buffer): Promise<void> => {
    const vm = findVm(vmId);
    await diskOf(vm, diskKey).disk.write(offset, data);
    engine.notify();
  };
  const guestWrites = new GuestWriteGenerator(
    () => engine.vms,
    (vm, key, offset, data) => writeGuest(vm.ref.value, key, offset, data),
    {
      ...(options.guestWrites || {}),
      onError: (error) => options.logger?.warn({ err: String(error) }, 'guest write round failed'),
    },
  );

  const api = {
    listVms: (): SimVmInfo[] => engine.vms.map(vmInfo),
    writeGuest,
    readDisk: (vmId: string, diskKey: number, offset: number, length: number): Promise<Buffer> =>
      diskOf(findVm(vmId), diskKey).disk.read(offset, length),
    snapshotReader: (vmId: string, snapshot: string, diskKey: number): SnapshotDiskReader => {
      const vm = findVm(vmId);
      const snap = vm.snapshots.find((s) => s.ref.value === snapshot) ?? vm.snapshots.find((s) => s.name === snapshot);
      if (!snap) throw new Error(`VM ${vm.name} has no snapshot ${snapshot}`);
      return new SnapshotDiskReader(diskOf(vm, diskKey).disk, snap.ref.value);
    },
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://sim');
    if (url.pathname === '/sdk' && req.method === 'POST') {
      const started = Date.now();
      const body = (await readBody(req, 16 * 1024 * 1024)).toString('utf8');
      const reply = await soap.handle({
        body,
        soapAction: req.headers.soapaction?.toString(),
        cookie: req.headers.cookie,
        ipAddress: req.socket.remoteAddress ?? '',
        userAgent: req.headers['user-agent'] ?? '',
      });
      const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8' };
      if (reply.setCookie) headers['Set-Cookie'] = reply.setCookie;
      res.writeHead(reply.status, headers).end(reply.body);
      options.logger?.debug?.({ method: reply.method, status: reply.status, ms: Date.now() - started }, 'vim25 call');
      return;
    }
    if (url.pathname === '/sdk/vimServiceVersions.xml' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' }).end(vimServiceVersionsXml());
      return;
    }
    if (url.pathname.startsWith('/_sim/')) {
      await handleControl({
        req,
        res,
        url,
        username,
        password,
        api: { ...api, guestTick: () => guestWrites.tick() },
        readBody: () => readBody(req, 64 * 1024 * 1024),
      });
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  };

  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      options.logger?.warn(
        { err: err instanceof Error ? err.message : String(err), path: req.url },
        'sim-vcenter request failed',
      );
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let nbdExport: SnapshotNbdExport | undefined;
  if (options.nbd) {
    nbdExport = new SnapshotNbdExport(engine);
    await nbdExport.listen(options.nbd.port ?? 0, options.nbd.host ?? host);
  }
  const resolveSnapshot = (vmId: string, snapshot: string): { vm: SimVm; snapshotId: string } => {
    const vm = findVm(vmId);
    const snap = vm.snapshots.find((s) => s.ref.value === snapshot) ?? vm.snapshots.find((s) => s.name === snapshot);
    if (!snap) throw new Error(`VM ${vm.name} has no snapshot ${snapshot}`);
    return { vm, snapshotId: snap.ref.value };
  };
  const urlHost = host.includes(':') ? `[${host}]` : host;
  if (options.guestWrites) guestWrites.start();
  options.logger?.info(
    { url: `https://${urlHost}:${port}/sdk`, vms: engine.vms.length, sha1: certificate.sha1Thumbprint },
    'vCenter simulator listening',
  );

  return {
    url: `https://${urlHost}:${port}/sdk`,
    host,
    port,
    username,
    password,
    certificatePem: certificate.cert,
    thumbprints: { sha1: certificate.sha1Thumbprint, sha256: certificate.sha256Thumbprint },
    engine,
    guestWrites,
    ...api,
    nbd: nbdExport
      ? {
          host: nbdExport.host,
          port: nbdExport.port,
          uri: (vmId: string, snapshot: string, diskKey: number): string => {
            const { vm, snapshotId } = resolveSnapshot(vmId, snapshot);
            return nbdExport.uri(vm.ref.value, snapshotId, diskKey);
          },
        }
      : undefined,
    injectFault: (method, faultType, o = {}) => {
      engine.injectFault(
        method,
        new VimFault(faultType, o.message ?? `${faultType} (injected)`, o.fields ?? {}),
        o.times ?? 1,
      );
    },
    expireSessions: () => {
      for (const key of engine.sessions.keys()) engine.endSession(key);
    },
    close: async () => {
      await guestWrites.stop();
      await nbdExport?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
    },
  };
}
