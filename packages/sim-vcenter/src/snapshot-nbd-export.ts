import { NbdServer } from '@migratekit/nbd';
import type { NbdLogger } from '@migratekit/nbd';
import { SnapshotDiskReader } from './snapshot-disk-reader';
import type { SimSnapshot } from './sim-vm';
import type { SnapshotListener, VCenterEngine } from './vcenter-engine';

// The stand-in for nbdkit-vddk: every disk of every snapshot is an NBD export named
// "<vm id>/<snapshot id>/<disk key>" (read-only, with block status), added when the snapshot is taken
// and removed with it.

export function snapshotExportName(vmId: string, snapshotId: string, diskKey: number): string {
  return `${vmId}/${snapshotId}/${diskKey}`;
}

export class SnapshotNbdExport implements SnapshotListener {
  readonly server: NbdServer;
  host = '';
  port = 0;

  constructor(
    private readonly engine: VCenterEngine,
    logger?: NbdLogger,
  ) {
    this.server = new NbdServer(logger ? { logger } : {});
  }

  async listen(port: number, host: string): Promise<void> {
    const addr = await this.server.listen(port, host);
    this.host = host;
    this.port = addr.port;
    this.engine.snapshotListeners.push(this);
    for (const vm of this.engine.vms) for (const s of vm.snapshots) this.created(s);
  }

  /** nbd://host:port/<export>, for nbdinfo, nbdcopy or the agent's NBD client. */
  uri(vmId: string, snapshotId: string, diskKey: number): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `nbd://${host}:${this.port}/${snapshotExportName(vmId, snapshotId, diskKey)}`;
  }

  created(snapshot: SimSnapshot): void {
    for (const d of snapshot.vm.disks) {
      this.server.addExport(
        snapshotExportName(snapshot.vm.ref.value, snapshot.ref.value, d.key),
        new SnapshotDiskReader(d.disk, snapshot.ref.value),
        {
          description: `${snapshot.vm.name} ${d.label} at snapshot ${snapshot.name}`,
        },
      );
    }
  }

  async removed(snapshot: SimSnapshot): Promise<void> {
    for (const d of snapshot.vm.disks)
      await this.server.removeExport(snapshotExportName(snapshot.vm.ref.value, snapshot.ref.value, d.key));
  }

  async close(): Promise<void> {
    const i = this.engine.snapshotListeners.indexOf(this);
    if (i >= 0) this.engine.snapshotListeners.splice(i, 1);
    await this.server.close();
  }
}
