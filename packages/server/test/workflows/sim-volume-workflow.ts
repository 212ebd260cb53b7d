// The workflow the runner tests drive: it acts on the CloudStack simulator (create a volume, attach it to the
// server VM, snapshot it), and its inspect steps read the simulator back, so "nothing orphaned" is checked against
// the simulator's inventory. One definition per takeover policy; used in-process and by the kill -9 child.
import { setTimeout as delay } from 'node:timers/promises';
import type { CloudStackClient } from '@migratekit/cloudstack';
import type { TakeoverPolicy } from '@migratekit/db';
import { DEFAULT_ZONE_ID } from '@migratekit/sim-cloudstack';
import { defineWorkflow, type WorkflowDefinition } from '../../src/workflows';

/** The simulator's "Small 20GB" disk offering (sparse files: no real 20 GiB is written). */
const SMALL_DISK_OFFERING_ID = 'd15c0002-bb22-4c33-9d44-e55f66a77b88';
/** Volume and snapshot states in which CloudStack refuses further operations until its job ends. */
const TRANSITIONAL = new Set(['Attaching', 'Detaching', 'Snapshotting', 'Creating', 'Allocated-Creating']);
const SNAPSHOT_TRANSITIONAL = new Set(['Allocated', 'Creating', 'CreatedOnPrimary', 'BackingUp', 'Destroying']);

export interface VolumeWorkflowInput {
  /** Unique per job: the volume's name; the snapshot is `<name>-snap`. */
  volumeName: string;
}

export type VolumeWorkflow = ReturnType<typeof volumeWorkflow>;

export const snapshotNameOf = (volumeName: string): string => `${volumeName}-snap`;

export interface SimCloud {
  client: CloudStackClient;
  serverVmId: string;
}

/**
 * After a crash a CloudStack job may still run (the volume is Attaching, the snapshot BackingUp): wait until it
 * settles before judging. Polls the simulator; bounded, so a stuck state fails the inspect instead of hanging.
 */
async function settled<T extends { state: string }>(
  read: () => Promise<T | undefined>,
  busy: ReadonlySet<string>,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const item = await read();
    if (item === undefined || !busy.has(item.state)) return item;
    await delay(5);
  }
  throw new Error('the simulator object stayed in a transitional state');
}

export function volumeWorkflow(cloud: SimCloud, takeover: TakeoverPolicy) {
  const { client, serverVmId } = cloud;
  const volumeByName = (name: string) =>
    settled(async () => (await client.listVolumes({ name })).find((v) => v.name === name), TRANSITIONAL);
  const volumeById = (id: string) =>
    settled(async () => (await client.listVolumes({ id })).find((v) => v.id === id), TRANSITIONAL);
  const snapshotByName = (name: string) =>
    settled(async () => (await client.listSnapshots({ name })).find((s) => s.name === name), SNAPSHOT_TRANSITIONAL);

  return defineWorkflow<VolumeWorkflowInput>(`sim-volume-${takeover}`, { jobType: 'test-volume', takeover })
    .step('create volume', {
      run: async ({ input, signal }) => {
        const volume = await client.createVolume(
          { name: input.volumeName, zoneid: DEFAULT_ZONE_ID, diskofferingid: SMALL_DISK_OFFERING_ID },
          { signal },
        );
        return { volumeId: volume.id };
      },
      inspect: async ({ input }) => {
        const volume = await volumeByName(input.volumeName);
        return volume === undefined ? { happened: false } : { happened: true, output: { volumeId: volume.id } };
      },
      compensate: async ({ signal }, { volumeId }) => {
        const volume = await volumeById(volumeId);
        if (volume === undefined) return;
        if (volume.virtualmachineid !== undefined) await client.detachVolume({ id: volumeId }, { signal });
        await client.deleteVolume(volumeId, signal);
      },
    })
    .step('attach volume', {
      run: async ({ outputs, signal }) => {
        const volume = await client.attachVolume(
          { id: outputs['create volume'].volumeId, virtualmachineid: serverVmId },
          { signal },
        );
        return { deviceId: volume.deviceid ?? null };
      },
      inspect: async ({ outputs }) => {
        const volume = await volumeById(outputs['create volume'].volumeId);
        return volume?.virtualmachineid === serverVmId
          ? { happened: true, output: { deviceId: volume.deviceid ?? null } }
          : { happened: false };
      },
      compensate: async ({ outputs, signal }) => {
        const volume = await volumeById(outputs['create volume'].volumeId);
        if (volume?.virtualmachineid !== undefined) await client.detachVolume({ id: volume.id }, { signal });
      },
    })
    .step('snapshot volume', {
      run: async ({ input, outputs, signal }) => {
        const snapshot = await client.createSnapshot(
          { volumeid: outputs['create volume'].volumeId, name: snapshotNameOf(input.volumeName) },
          { signal },
        );
        return { snapshotId: snapshot.id };
      },
      inspect: async ({ input }) => {
        const snapshot = await snapshotByName(snapshotNameOf(input.volumeName));
        return snapshot === undefined || snapshot.state === 'Error'
          ? { happened: false }
          : { happened: true, output: { snapshotId: snapshot.id } };
      },
      compensate: async ({ signal }, { snapshotId }) => {
        const snapshot = await settled(
          async () => (await client.listSnapshots({ id: snapshotId })).find((s) => s.id === snapshotId),
          SNAPSHOT_TRANSITIONAL,
        );
        if (snapshot !== undefined) await client.deleteSnapshot(snapshotId, { signal });
      },
    })
    .build();
}

/** The three policies' workflows, registered together in every test runner. */
export function volumeWorkflows(
  cloud: SimCloud,
): Record<TakeoverPolicy, WorkflowDefinition<VolumeWorkflowInput, unknown>> {
  return {
    resume: volumeWorkflow(cloud, 'resume'),
    compensate: volumeWorkflow(cloud, 'compensate'),
    pause: volumeWorkflow(cloud, 'pause'),
  };
}
