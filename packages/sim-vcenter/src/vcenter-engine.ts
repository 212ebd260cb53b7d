import { EventEmitter } from 'node:events';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock } from '@migratekit/core';
import { EventLog } from './event-log';
import { buildInventory } from './inventory-builder';
import type { InventorySpec } from './inventory-spec';
import { SimEntity } from './managed-object';
import type { ManagedObject, ObjectRegistry } from './managed-object';
import { copyImage, seedDisk, seedOf } from './disk-seed';
import { SessionStore } from './session-store';
import type { SimSnapshot, SimVm } from './sim-vm';
import { asVimFault, SimTask } from './sim-task';
import { loadState, saveState } from './state-file';
import type { SimStateFile } from './state-file';
import { ExtentSet } from './extent-set';
import type { Mor, VimValue } from './vim-value';
import { faults } from './vim-fault';
import { VimFault } from './vim-fault';

// The simulator's state and its rules, independent of SOAP: inventory, sessions, tasks, and change events
// that wake WaitForUpdatesEx callers.

export interface EngineOptions {
  dataDir: string;
  inventory: InventorySpec;
  clock: Clock;
  username: string;
  password: string;
  /** How long a guest OS takes to shut down after ShutdownGuest. */
  guestShutdownDelayMs: number;
  /** Bound on areas per QueryChangedDiskAreas answer; callers page with startOffset. */
  maxChangedAreas: number;
  /** How long each task runs (with progress 0, 25, 50, 75); 0 completes at once. */
  taskDurationMs: number;
  /** Told when a scheduled state save fails (the next change tries again). */
  onSaveError?: (error: unknown) => void;
}

/** Told when snapshots come and go (the NBD export of frozen disks follows them). */
export interface SnapshotListener {
  created(snapshot: SimSnapshot): void;
  removed(snapshot: SimSnapshot): Promise<void>;
}

// Snapshot layers do not survive a restart; files left by a crash are garbage.
async function removeStaleLayers(dir: string): Promise<void> {
  for (const f of await readdir(dir)) if (f.endsWith('-cow.raw')) await rm(join(dir, f), { force: true });
}

export class VCenterEngine {
  readonly registry: ObjectRegistry;
  readonly rootFolder: SimEntity;
  readonly datacenters: SimEntity[];
  readonly vms: SimVm[];
  readonly sessions: SessionStore;
  readonly changes = new EventEmitter();
  readonly events: EventLog;
  readonly instanceUuid: string;
  private readonly tasks: SimTask[] = [];
  readonly snapshotListeners: SnapshotListener[] = [];
  /** Scripted faults by method name, consumed one per call (tests of error paths). */
  private readonly injected = new Map<string, { fault: VimFault; times: number }>();
  private saveTimer: NodeJS.Timeout | undefined;
  // Saves run one after another, so close() can wait for the last one before the data dir goes away.
  private saving: Promise<void> = Promise.resolve();
  private closed = false;
  /** The per-session state behind the shared "propertyCollector" object. */
  readonly sessionCollectors = new Map<string, ManagedObject>();
  /** Aborted at close, so pending guest shutdowns and task timers stop at once. */
  private readonly lifetime = new AbortController();

  constructor(readonly opts: EngineOptions) {
    const built = buildInventory(opts.inventory, opts.dataDir, opts.clock.now());
    this.registry = built.registry;
    this.rootFolder = built.rootFolder;
    this.datacenters = built.datacenters;
    this.vms = built.vms;
    this.sessions = new SessionStore(opts.clock);
    this.events = new EventLog(opts.clock);
    this.events.onPost = () => this.notify();
    this.changes.setMaxListeners(0);
    this.instanceUuid = '6f1c3d2a-8b4e-4a57-9c0e-5d2f7a9b1e34';
  }

  private get statePath(): string {
    return join(this.opts.dataDir, 'state.json');
  }

  /** Opens every disk; fresh (or unknown) disks get their seed data. */
  async start(): Promise<void> {
    await mkdir(this.opts.dataDir, { recursive: true });
    const state = await loadState(this.statePath);
    if (state?.lastId) this.registry.reserveUpTo(state.lastId);
    for (const vm of this.vms) {
      const saved = state?.vms[vm.ref.value];
      if (saved) {
        vm.powerState = saved.powerState === 'poweredOff' ? 'poweredOff' : 'poweredOn';
        vm.bootTime = vm.powerState === 'poweredOn' ? this.opts.clock.now() : undefined;
        vm.cbtEnabled = saved.cbtEnabled;
      }
      for (const [i, d] of vm.disks.entries()) {
        await mkdir(dirname(d.disk.path), { recursive: true });
        await removeStaleLayers(dirname(d.disk.path));
        const created = await d.disk.open();
        const known = state?.disks[d.disk.path];
        if (!created && known) d.disk.allocated = ExtentSet.fromJSON(known.allocated);
        else {
          const spec = vm.spec.disks[i];
          if (spec?.image !== undefined) await copyImage(d.disk, spec.image);
          else await seedDisk(d.disk, spec?.seedBytes ?? 0, seedOf(`${vm.name}/${i}`));
        }
        if (vm.cbtEnabled) d.disk.cbt.enable();
      }
    }
    await this.saveNow();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.lifetime.abort(new Error('simulator closed'));
    this.changes.emit('change');
    if (this.saveTimer) clearTimeout(this.saveTimer);
    await this.saveNow();
    for (const vm of this.vms) for (const d of vm.disks) await d.disk.close();
  }

  /** Sleeps on the injected clock; rejects when the simulator closes. */
  sleep(ms: number): Promise<void> {
    return this.opts.clock.sleep(ms, this.lifetime.signal);
  }

  /** Forgets a session and every object it created (collectors, filters, views). */
  endSession(key: string): void {
    this.sessions.remove(key);
    this.sessionCollectors.delete(key);
    this.registry.removeWhere((id) => id.startsWith(`session[${key}]`));
    this.changes.emit('change'); // wakes the session's pending WaitForUpdates, which then end
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Something observable changed: wake waiters and schedule a state save. */
  notify(): void {
    this.changes.emit('change');
    if (!this.saveTimer && !this.closed) {
      this.saveTimer = setTimeout(() => {
        this.saveTimer = undefined;
        this.saveNow().catch((error: unknown) => this.opts.onSaveError?.(error));
      }, 500);
      this.saveTimer.unref();
    }
  }

  private saveNow(): Promise<void> {
    const run = this.saving.then(() => this.writeState());
    // The chain only orders saves; each save's failure reaches its own caller through `run`.
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async writeState(): Promise<void> {
    const state: SimStateFile = { version: 1, disks: {}, vms: {}, lastId: this.registry.lastId };
    for (const vm of this.vms) {
      state.vms[vm.ref.value] = { powerState: vm.powerState, cbtEnabled: vm.cbtEnabled };
      for (const d of vm.disks) state.disks[d.disk.path] = { allocated: d.disk.allocated.toJSON() };
    }
    await saveState(this.statePath, state);
  }

  /** A VM by managed object id ("vm-42") or by name. */
  findVm(idOrName: string): SimVm | undefined {
    return this.vms.find((v) => v.ref.value === idOrName) ?? this.vms.find((v) => v.name === idOrName);
  }

  vmByRef(ref: Mor): SimVm {
    const vm = this.vms.find((v) => v.ref.value === ref.value);
    if (!vm) throw faults.notFound(ref);
    return vm;
  }

  injectFault(method: string, fault: VimFault, times: number): void {
    this.injected.set(method, { fault, times });
  }

  /** The scripted fault for this call of `method`, if any is left. */
  takeInjectedFault(method: string): VimFault | undefined {
    const plan = this.injected.get(method);
    if (!plan || plan.times <= 0) return undefined;
    plan.times -= 1;
    if (plan.times === 0) this.injected.delete(method);
    return plan.fault;
  }

  /** Starts `work` as a vim25 Task and returns at once, as vCenter does. */
  runTask(
    entity: ManagedObject & { name?: string },
    method: string,
    descriptionId: string,
    userName: string,
    work: (task: SimTask) => Promise<VimValue | undefined>,
  ): SimTask {
    const task = new SimTask(
      this.registry.nextId('task-'),
      entity.ref,
      entity.name ?? entity.ref.value,
      method,
      descriptionId,
      userName,
      this.opts.clock.now(),
    );
    this.registry.add(task);
    this.tasks.push(task);
    this.events.task(task, entity instanceof SimEntity ? entity : undefined);
    while (this.tasks.length > 500) {
      const old = this.tasks.shift();
      if (old) this.registry.remove(old.ref);
    }
    const injected = this.takeInjectedFault(method);
    // vCenter runs one task at a time per entity; a second one fails with TaskInProgress.
    const busy = this.tasks.some((t) => t !== task && !t.done && t.entity.value === entity.ref.value);
    const delay = this.opts.taskDurationMs;
    setImmediate(() => {
      task.state = 'running';
      task.startTime = this.opts.clock.now();
      this.notify();
      Promise.resolve()
        .then(async () => {
          if (injected) throw injected;
          if (busy) throw new VimFault('TaskInProgress', 'Another task is already in progress.', { task: task.ref });
          if (delay > 0) {
            // Real tasks take a while and report progress; clients must wait rather than assume.
            task.progress = 0;
            for (const p of [25, 50, 75]) {
              await this.sleep(delay / 4);
              task.progress = p;
              this.notify();
            }
            await this.sleep(delay / 4);
          }
          return work(task);
        })
        .then(
          (result) => {
            task.result = result;
            task.state = 'success';
            task.progress = 100;
          },
          (err: unknown) => {
            task.error = asVimFault(err);
            task.state = 'error';
          },
        )
        .finally(() => {
          task.completeTime = this.opts.clock.now();
          this.notify();
        });
    });
    return task;
  }

  recentTasks(): SimTask[] {
    return this.tasks.filter(
      (t) => !t.done || (t.completeTime && this.opts.clock.now().getTime() - t.completeTime.getTime() < 600_000),
    );
  }
}
