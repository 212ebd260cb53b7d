// The server's NBD target: one NbdServer serving every volume attached to the server VM as `vol-<uuid>` to agents
// only, with TLS required. Agents reach it through the agent port (acceptUpgraded, the default), or on its own
// listener (10809, TLS-PSK by STARTTLS) when MIGRATEKIT_NBD_LISTENER=on.
import type { Socket } from 'node:net';
import type { Clock } from '@migratekit/core';
import { FileBackend, NbdServer, type AuthorizeContext, type NbdLogger, type PskKeys } from '@migratekit/nbd';
import { DEFAULT_NBD_PORT } from '../config/server-config';
import { isVolumeExportName, volumeExportName } from '../volumes/volume-naming';
import type { VolumeExportTarget } from '../volumes/volume.types';

export interface NbdTargetOptions {
  /** 0 picks a free port (tests). */
  port?: number;
  host?: string;
  tls: {
    cert?: string | Buffer;
    key?: string | Buffer;
    /** identity -> key; agents may authenticate with PSK instead of a client certificate. */
    psk?: PskKeys;
    /** CA that signs agent client certificates; with it, client certificates are required and verified. */
    ca?: string | Buffer;
  };
  /** SHA-256 fingerprint of the certificate, published to agents for pinning. */
  fingerprint256?: string;
  /** Whether a TLS identity (PSK identity or client-certificate CN) belongs to a paired agent. */
  isAgent?: (identity: string) => boolean;
  logger?: NbdLogger;
  clock?: Clock;
}

export interface VolumeExportInfo {
  name: string;
  volumeId: string;
  devicePath: string;
  size: number;
  connections: number;
}

interface Served {
  volumeId: string;
  devicePath: string;
  backend: FileBackend;
}

/** Exports (all of them volumes today) are visible only to a TLS-authenticated agent. */
export function agentOnlyAuthorizer(isAgent: (identity: string) => boolean): (ctx: AuthorizeContext) => boolean {
  return (ctx) => ctx.tlsIdentity !== undefined && isVolumeExportName(ctx.exportName) && isAgent(ctx.tlsIdentity);
}

export class NbdTarget implements VolumeExportTarget {
  private readonly server: NbdServer;
  private readonly served = new Map<string, Served>();

  constructor(private readonly options: NbdTargetOptions) {
    const tls = options.tls;
    this.server = new NbdServer({
      tls: {
        mode: 'require',
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key }),
        ...(tls.psk === undefined ? {} : { psk: tls.psk }),
        ...(tls.ca === undefined ? {} : { ca: tls.ca, verifyPeer: true }),
      },
      authorize: agentOnlyAuthorizer(options.isAgent ?? (() => true)),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  }

  async start(): Promise<number> {
    const address = await this.server.listen(this.options.port ?? DEFAULT_NBD_PORT, this.options.host ?? '0.0.0.0');
    return address.port;
  }

  /** The separate listener's port; 0 when it does not listen. */
  get port(): number {
    return this.server.port;
  }

  /** A connection upgraded on the agent listener, already inside TLS and authenticated as `identity`. */
  acceptUpgraded(socket: Socket, identity: string): void {
    this.server.acceptSecured(socket, identity);
  }

  get fingerprint256(): string | undefined {
    return this.options.fingerprint256;
  }

  hasVolumeExport(volumeId: string): boolean {
    return this.served.has(volumeExportName(volumeId));
  }

  /** Idempotent: the same device keeps its export (and its connections); a new device path replaces it. */
  async addVolumeExport(volumeId: string, devicePath: string): Promise<string> {
    const name = volumeExportName(volumeId);
    const current = this.served.get(name);
    if (current?.devicePath === devicePath) return name;
    if (current !== undefined) await this.removeVolumeExport(volumeId);
    const backend = await FileBackend.open(devicePath);
    try {
      this.server.addExport(name, backend, { description: `CloudStack volume ${volumeId}` });
    } catch (error) {
      await backend.close();
      throw error;
    }
    this.served.set(name, { volumeId, devicePath, backend });
    return name;
  }

  async removeVolumeExport(volumeId: string): Promise<boolean> {
    const name = volumeExportName(volumeId);
    const current = this.served.get(name);
    if (current === undefined) return false;
    this.served.delete(name);
    await this.server.removeExport(name);
    await current.backend.close();
    return true;
  }

  listExports(): VolumeExportInfo[] {
    const live = new Map(this.server.exports().map((e) => [e.name, e]));
    return [...this.served.entries()].map(([name, s]) => ({
      name,
      volumeId: s.volumeId,
      devicePath: s.devicePath,
      size: s.backend.size,
      connections: live.get(name)?.connections ?? 0,
    }));
  }

  async close(): Promise<void> {
    // Also ends connections upgraded on the agent listener when there is no listener of its own.
    await this.server.close();
    for (const s of this.served.values()) await s.backend.close();
    this.served.clear();
  }
}
