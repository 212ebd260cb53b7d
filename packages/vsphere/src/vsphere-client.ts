// The client the agent and server use: connect (RetrieveServiceContent + Login) once, then typed calls.
import { type Clock, MigrateKitError, systemClock } from '@migratekit/core';
import { type Inventory, loadInventory } from './inventory';
import { retrieveAll, directObjectSpec } from './property-collector';
import { createHttpsTransport, type SoapTransport } from './soap/https-transport';
import { silentLogger, VimSession, type VsphereLogger } from './soap/vim-session';
import { readTaskInfo, type TaskInfo, waitForTask, type WaitForTaskOptions } from './tasks';
import type { AboutInfo, MoRef, UserSession } from './vim-types';
import { parseVmDetails, type VmDetails, VM_REQUEST } from './vm-details';
import type { VirtualDiskInfo } from './vm-devices';
import {
  type DiscoveredVm,
  type DiscoverOptions,
  type DiscoveryResult,
  discoverVmDetails,
  discoverVms,
} from './vm-discovery';
import * as ops from './vm-operations';

export interface VsphereEndpoint {
  host: string;
  port: number;
  path: string;
}

/** Accepts "vc.example.com", "vc.example.com:8443", or "https://vc.example.com/sdk". */
export function parseEndpoint(input: string, port?: number): VsphereEndpoint {
  const trimmed = input.trim();
  if (trimmed === '')
    throw new MigrateKitError('MKE_VALIDATION', { message: 'vCenter host is required', field: 'host' });
  const url = new URL(/^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  if (url.protocol !== 'https:') {
    throw new MigrateKitError('MKE_VALIDATION', { message: 'vCenter is only reached over HTTPS', field: 'host' });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: port ?? (url.port ? Number(url.port) : 443),
    path: url.pathname && url.pathname !== '/' ? url.pathname : '/sdk',
  };
}

export interface VsphereConnectOptions {
  /** Host name, host:port or https URL of the vCenter (or ESXi) SDK. */
  host: string;
  port?: number;
  username: string;
  password: string;
  /** Pinned SHA-1 or SHA-256 thumbprint of the vCenter certificate (self-signed vCenters need one). */
  thumbprint?: string | undefined;
  ca?: string | string[] | undefined;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  logger?: VsphereLogger;
  clock?: Clock;
  /** Replaces the HTTPS transport (tests). */
  transport?: SoapTransport;
}

export class VsphereClient {
  private constructor(
    readonly session: VimSession,
    readonly user: UserSession,
    private readonly clock: Clock,
  ) {}

  static async connect(options: VsphereConnectOptions): Promise<VsphereClient> {
    const endpoint = parseEndpoint(options.host, options.port);
    const transport =
      options.transport ??
      createHttpsTransport({
        host: endpoint.host,
        port: endpoint.port,
        path: endpoint.path,
        thumbprint: options.thumbprint,
        ca: options.ca,
        timeoutMs: options.timeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
      });
    const session = new VimSession(transport, options.logger ?? silentLogger);
    try {
      await session.retrieveServiceContent();
      const user = await session.login({ username: options.username, password: options.password });
      return new VsphereClient(session, user, options.clock ?? systemClock);
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  get about(): AboutInfo {
    return this.session.serviceContent.about;
  }

  /** Logs out and closes the connections; safe to call twice. */
  async close(): Promise<void> {
    try {
      await this.session.logout();
    } catch (error) {
      this.session.logger.warn({ error: String(error) }, 'vsphere logout failed');
    } finally {
      this.session.transport.close();
    }
  }

  inventory(): Promise<Inventory> {
    return loadInventory(this.session);
  }

  discoverVms(options: DiscoverOptions = {}): Promise<DiscoveredVm[]> {
    return discoverVms(this.session, options);
  }

  discoverVmDetails(options: DiscoverOptions = {}, inventory?: Inventory): Promise<DiscoveryResult[]> {
    return discoverVmDetails(this.session, options, inventory);
  }

  /** Details of one VM (ManagedObjectNotFoundError when it is gone). */
  async getVm(vm: MoRef, inventory?: Inventory): Promise<VmDetails> {
    const inv = inventory ?? (await this.inventory());
    const [content] = await retrieveAll(this.session, [directObjectSpec(vm)], [VM_REQUEST]);
    if (content === undefined) {
      throw new MigrateKitError('MKE_VSPHERE_OBJECT_NOT_FOUND', { message: `VM ${vm.value} not found` });
    }
    return parseVmDetails(content, inv);
  }

  findVmByInstanceUuid(instanceUuid: string): Promise<MoRef | undefined> {
    return ops.findVmByInstanceUuid(this.session, instanceUuid);
  }

  setChangeTracking(vm: MoRef, enabled: boolean, wait?: WaitForTaskOptions): Promise<void> {
    return ops.setChangeTracking(this.session, vm, enabled, this.waitOptions(wait));
  }

  createSnapshot(vm: MoRef, options: ops.CreateSnapshotOptions, wait?: WaitForTaskOptions): Promise<MoRef> {
    return ops.createSnapshot(this.session, vm, options, this.waitOptions(wait));
  }

  removeSnapshot(snapshot: MoRef, options?: ops.RemoveSnapshotOptions, wait?: WaitForTaskOptions): Promise<void> {
    return ops.removeSnapshot(this.session, snapshot, options, this.waitOptions(wait));
  }

  /** Disks as frozen in the snapshot; record their changeId after a successful copy. */
  getSnapshotDisks(snapshot: MoRef): Promise<VirtualDiskInfo[]> {
    return ops.getSnapshotDisks(this.session, snapshot);
  }

  queryChangedDiskAreas(query: ops.ChangedDiskAreasQuery): Promise<ops.ChangedDiskAreas> {
    return ops.queryChangedDiskAreas(this.session, query);
  }

  powerOn(vm: MoRef, wait?: WaitForTaskOptions): Promise<void> {
    return ops.powerOn(this.session, vm, this.waitOptions(wait));
  }

  powerOff(vm: MoRef, wait?: WaitForTaskOptions): Promise<void> {
    return ops.powerOff(this.session, vm, this.waitOptions(wait));
  }

  getPowerState(vm: MoRef): ReturnType<typeof ops.getPowerState> {
    return ops.getPowerState(this.session, vm);
  }

  shutdown(vm: MoRef, options: ops.ShutdownOptions = {}): Promise<ops.ShutdownOutcome> {
    return ops.shutdownVm(this.session, vm, { clock: this.clock, ...options, wait: this.waitOptions(options.wait) });
  }

  waitForTask(task: MoRef, wait?: WaitForTaskOptions): Promise<TaskInfo> {
    return waitForTask(this.session, task, this.waitOptions(wait));
  }

  readTaskInfo(task: MoRef): Promise<TaskInfo> {
    return readTaskInfo(this.session, task);
  }

  private waitOptions(wait: WaitForTaskOptions | undefined): WaitForTaskOptions {
    return { clock: this.clock, ...wait };
  }
}
