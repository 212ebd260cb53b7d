import { randomBytes, randomInt } from 'node:crypto';
import type { SimVm } from './sim-vm';

// Random guest writes into powered-on VMs' disks, so CBT has something to find in the demo (not into a disk
// that holds a real guest's image).

export interface GuestWriteGeneratorOptions {
  /** Writes per tick, spread over random powered-on VMs and disks. */
  writesPerTick?: number;
  /** Largest single write; writes are 4 KiB aligned. */
  maxWriteBytes?: number;
  intervalMs?: number;
  /** Told about a round that failed (the timer keeps going: the demo must not stop on one bad write). */
  onError?: (error: unknown) => void;
}

export type GuestWriter = (vm: SimVm, diskKey: number, offset: number, data: Buffer) => Promise<void>;

export class GuestWriteGenerator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  bytesWritten = 0;

  constructor(
    private readonly vms: () => SimVm[],
    private readonly write: GuestWriter,
    private readonly opts: GuestWriteGeneratorOptions = {},
  ) {}

  /** One round of writes (tests call this directly). */
  async tick(): Promise<number> {
    // A disk that holds a real guest's image keeps it intact: random bytes would break its file systems.
    const writable = (vm: SimVm) => vm.disks.filter((_, i) => vm.spec.disks[i]?.image === undefined);
    const on = this.vms().filter((v) => v.powerState === 'poweredOn' && writable(v).length > 0);
    let written = 0;
    for (let i = 0; i < (this.opts.writesPerTick ?? 4) && on.length > 0; i++) {
      const vm = on[randomInt(on.length)];
      const disks = vm === undefined ? [] : writable(vm);
      const disk = disks[randomInt(Math.max(1, disks.length))];
      if (!vm || !disk) continue;
      const max = Math.max(4096, Math.min(this.opts.maxWriteBytes ?? 256 * 1024, disk.capacity));
      const len = 4096 * (1 + randomInt(Math.floor(max / 4096)));
      const offset = 4096 * randomInt(Math.floor((disk.capacity - len) / 4096) + 1);
      await this.write(vm, disk.key, offset, randomBytes(len));
      written += len;
    }
    this.bytesWritten += written;
    return written;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.running
        .then(() => this.tick())
        .then(
          () => undefined,
          (error: unknown) => this.opts.onError?.(error),
        );
    }, this.opts.intervalMs ?? 2000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
