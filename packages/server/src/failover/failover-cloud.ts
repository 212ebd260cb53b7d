// Read-only CloudStack lookups the failover steps' inspect and run share. After a crash a CloudStack job may still
// be running (a VM Starting, a snapshot BackingUp): these wait, bounded, until the object settles before judging.
import type { CloudStackClient, Snapshot, VirtualMachine, Volume } from '@migratekit/cloudstack';
import { MigrateKitError, type Clock } from '@migratekit/core';
import { isTransient } from '../volumes/cloud-reads';
import type { FailoverDeps } from './failover-deps';
import type { RestoreDeps } from './volume-restore';

const VM_TRANSITIONAL = new Set(['Starting', 'Stopping', 'Migrating']);
const VM_GONE = new Set(['Destroyed', 'Expunging']);
const VOLUME_TRANSITIONAL = new Set(['Attaching', 'Detaching', 'Snapshotting', 'Creating', 'Allocated-Creating']);
const SNAPSHOT_TRANSITIONAL = new Set(['Allocated', 'Creating', 'CreatedOnPrimary', 'BackingUp', 'Destroying']);
const POLL_MS = 50;
const READ_ATTEMPTS = 3;
const READ_RETRY_MS = 100;

export class FailoverCloud {
  constructor(
    readonly client: CloudStackClient,
    private readonly clock: Clock,
    private readonly settleTimeoutMs: number,
  ) {}

  /** Reads change nothing, so a transient failure (5xx, transport, rate limit) is tried again a few times. */
  async read<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isTransient(error) || attempt >= READ_ATTEMPTS) throw error;
        await this.clock.sleep(READ_RETRY_MS * attempt);
      }
    }
  }

  /** The live (not destroyed) VM with exactly this name, once it is not in a transitional state. */
  vmNamed(name: string): Promise<VirtualMachine | undefined> {
    return this.settled(async () => {
      const vms = await this.read(() => this.client.listVirtualMachines({ name, listall: true }));
      return vms.find((vm) => vm.name === name && !VM_GONE.has(vm.state));
    }, VM_TRANSITIONAL);
  }

  vm(id: string): Promise<VirtualMachine | undefined> {
    return this.settled(async () => {
      const vms = await this.read(() => this.client.listVirtualMachines({ id, listall: true }));
      return vms.find((vm) => vm.id === id && !VM_GONE.has(vm.state));
    }, VM_TRANSITIONAL);
  }

  volume(id: string): Promise<Volume | undefined> {
    return this.settled(async () => {
      const volumes = await this.read(() => this.client.listVolumes({ id, listall: true }));
      return volumes.find((v) => v.id === id);
    }, VOLUME_TRANSITIONAL);
  }

  /** Every snapshot with this name (one per volume of a failover), settled, those in Error left out. */
  async snapshotsNamed(name: string): Promise<Snapshot[]> {
    for (let waited = 0; ; waited += POLL_MS) {
      const found = (await this.read(() => this.client.listSnapshots({ name, listall: true }))).filter(
        (s) => s.name === name,
      );
      if (!found.some((s) => SNAPSHOT_TRANSITIONAL.has(s.state))) return found.filter((s) => s.state !== 'Error');
      if (waited >= this.settleTimeoutMs) throw unsettled(`snapshots named ${name}`);
      await this.clock.sleep(POLL_MS);
    }
  }

  private async settled<T extends { state: string }>(
    read: () => Promise<T | undefined>,
    busy: ReadonlySet<string>,
  ): Promise<T | undefined> {
    for (let waited = 0; ; waited += POLL_MS) {
      const item = await read();
      if (item === undefined || !busy.has(item.state)) return item;
      if (waited >= this.settleTimeoutMs) throw unsettled(`CloudStack object in state ${item.state}`);
      await this.clock.sleep(POLL_MS);
    }
  }
}

function unsettled(what: string): MigrateKitError {
  return new MigrateKitError('MKE_UPSTREAM_TIMEOUT', { message: `${what} stayed in a transitional state` });
}

/** The failover's view of the active CloudStack configuration. */
export async function failoverCloud(deps: FailoverDeps): Promise<FailoverCloud> {
  const { client } = await deps.cloudStack.active();
  return new FailoverCloud(client, deps.clock, deps.settleTimeoutMs ?? 60_000);
}

/**
 * The deps of the shared volume restore (volume-restore.ts) for a failover's compensations: the same volume
 * service, and the active configuration's client with its reads tried again on a transient failure, as every
 * failover read is.
 */
export function restoreDepsOf(deps: FailoverDeps): RestoreDeps {
  return {
    repositories: deps.repositories,
    volumes: deps.volumes,
    logger: deps.logger,
    pause: (ms, signal) => deps.clock.sleep(ms, signal),
    ...(deps.settleTimeoutMs === undefined ? {} : { settleTimeoutMs: deps.settleTimeoutMs }),
    cloud: async () => {
      const { serverVmId } = await deps.cloudStack.withServerVm();
      const cloud = await failoverCloud(deps);
      const { client } = cloud;
      return {
        serverVmId,
        client: {
          listVolumes: (req, signal) => cloud.read(() => client.listVolumes(req, signal)),
          listSnapshots: (req, signal) => cloud.read(() => client.listSnapshots(req, signal)),
          listVirtualMachines: (req, signal) => cloud.read(() => client.listVirtualMachines(req, signal)),
          stopVirtualMachine: (req, options) => client.stopVirtualMachine(req, options),
          destroyVirtualMachine: (req, options) => client.destroyVirtualMachine(req, options),
        },
      };
    },
  };
}
