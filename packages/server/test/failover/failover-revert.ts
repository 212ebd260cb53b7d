// Scenarios of failover.e2e.test.ts (they share its stack). A test failover whose target VM ran and wrote to its
// volumes, then was undone by compensation: every volume is
// reverted to the failover's snapshot before the snapshot is deleted, so the bytes are the last sync's again, no
// snapshot remains and every volume is back on the server with its device mapping and NBD export. A failure
// between revert and delete (deleteSnapshot refused) leaves the failover cleanup_required with the volumes already
// reverted (the automatic repair fails the same way); the operator's second compensation converges to the same
// end.
import assert from 'node:assert/strict';
import { openSync, closeSync, writeSync } from 'node:fs';
import { failoverSnapshotName } from '../../src/failover';
import { autoRepairOf, settledStatus, untilCrashed, type CrashRig } from './failover-crash-fixture';
import { sourceHashes, volumeHashes, type FailoverStack } from './failover-fixture';

const MiB = 1024 * 1024;

/** What the target VM's guest wrote: a block at the start of the disk and one a megabyte in. */
function scribble(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    for (const offset of [0, MiB]) writeSync(fd, Buffer.alloc(64 * 1024, 0xee), 0, 64 * 1024, offset);
  } finally {
    closeSync(fd);
  }
}

/** The VM's volumes in disk order, with the capacities and hashes of the last sync. */
async function synced(env: FailoverStack, vm: string) {
  const { repositories } = env.stack.server.composition.adapters;
  const rows = await repositories.cloudstackVolumes.listByContext(env.contexts.get(vm) as string);
  const ids = rows.sort((a, b) => (a.disk_id ?? '').localeCompare(b.disk_id ?? '')).map((r) => r.volume_id);
  const source = await sourceHashes(env.estate, vm);
  const hashes = volumeHashes(env.estate, ids, source.capacities);
  // The source has not changed since its replication: the volumes hold the last sync.
  assert.deepEqual(hashes, source.hashes, `${vm}: the volumes hold the last sync`);
  return { ids, capacities: source.capacities, hashes };
}

/** Starts a test failover that dies after its target VM started, and has that VM write to every volume. */
async function failoverThatWrote(
  env: FailoverStack,
  rig: CrashRig,
  vm: string,
  serverId: string,
  volumeIds: readonly string[],
) {
  const first = rig.runner(serverId, (p) => p.kind === 'run' && p.step === 'start target VM' && p.phase === 'after');
  const starter = rig.service(first);
  const started = await starter.start({ vm, type: 'test' });
  await untilCrashed(first);
  starter.close();
  const inventory = env.estate.cloudstack.inventory();
  const target = inventory.vms.find((v) => v.name === started.target_vm_name);
  assert.equal(target?.state, 'Running', 'the target VM runs');
  for (const id of volumeIds) {
    const volume = inventory.volumes.find((v) => v.id === id);
    assert.equal(volume?.vmId, target.id, `volume ${id} is on the target VM`);
    scribble(volume.file);
  }
  return started;
}

async function assertBackOnServer(
  env: FailoverStack,
  vm: string,
  volumeIds: readonly string[],
  jobId: string,
): Promise<void> {
  const { repositories } = env.stack.server.composition.adapters;
  const inventory = env.estate.cloudstack.inventory();
  assert.deepEqual(
    inventory.snapshots.filter((s) => s.name === failoverSnapshotName(jobId)),
    [],
    `${vm}: no failover snapshot remains`,
  );
  for (const id of volumeIds) {
    assert.equal(inventory.volumes.find((v) => v.id === id)?.vmId, inventory.serverVmId, `${id} is on the server`);
    const row = await repositories.cloudstackVolumes.getByVolumeId(id);
    assert.equal(row?.mode, 'oma', `${id} is attached in mode oma`);
    const mapping = await repositories.deviceMappings.get(id);
    assert.ok((mapping?.persistent_device_name ?? '').includes('virtio-'), `${id}: device found by serial`);
    assert.ok(await repositories.nbdExports.getByVolumeId(id), `${id}: NBD export open again`);
  }
  assert.equal(
    (await repositories.contexts.require(env.contexts.get(vm) as string)).current_status,
    'ready_for_failover',
  );
}

/** The target VM wrote; the takeover compensates and the volumes hold the last sync again. */
export async function compensationAfterGuestWrites(env: FailoverStack, rig: CrashRig, vm: string): Promise<void> {
  const last = await synced(env, vm);
  const started = await failoverThatWrote(env, rig, vm, 'revert-server-1', last.ids);
  assert.notDeepEqual(volumeHashes(env.estate, last.ids, last.capacities), last.hashes, 'the guest wrote');

  const recovering = rig.runner('revert-server-1');
  const service = rig.service(recovering);
  try {
    assert.ok((await recovering.recover()).includes(started.workflow_job_id));
    await recovering.whenIdle();
    const view = await settledStatus(service, started.job_id);
    assert.equal(view.workflow_status, 'compensated', view.error_message ?? '');
    const compensations = view.steps.filter((s) => s.kind === 'compensate').map((s) => s.name);
    assert.ok(compensations.includes('compensate: snapshot volumes'), compensations.join(', '));

    assert.deepEqual(volumeHashes(env.estate, last.ids, last.capacities), last.hashes, 'bytes of the last sync');
    await assertBackOnServer(env, vm, last.ids, started.job_id);
  } finally {
    // Closed also when an assertion fails, so the file ends instead of waiting on the runner's timers.
    await recovering.close();
    service.close();
  }
}

/** A failure between revert and delete: cleanup_required, then the second compensation converges. */
export async function failureBetweenRevertAndDelete(env: FailoverStack, rig: CrashRig, vm: string): Promise<void> {
  const last = await synced(env, vm);
  const started = await failoverThatWrote(env, rig, vm, 'revert-server-2', last.ids);
  const faults = env.estate.cloudstack.controls;
  // Every deleteSnapshot is refused until the operator acts: the compensation stops after the revert.
  faults.failNext('deleteSnapshot', 1_000, { errorcode: 431, errortext: 'snapshot delete refused (test)' });

  const recovering = rig.runner('revert-server-2');
  const service = rig.service(recovering);
  try {
    assert.ok((await recovering.recover()).includes(started.workflow_job_id));
    await recovering.whenIdle();
    let view = await settledStatus(service, started.job_id);
    assert.equal(view.workflow_status, 'cleanup_required', view.error_message ?? '');
    assert.match(view.error_message ?? '', /snapshot delete refused/);
    const inventory = env.estate.cloudstack.inventory();
    assert.equal(
      inventory.snapshots.filter((s) => s.name === failoverSnapshotName(started.job_id)).length,
      2,
      'the snapshots are still there',
    );
    assert.deepEqual(volumeHashes(env.estate, last.ids, last.capacities), last.hashes, 'already reverted');
    // The recovery service repairs a failed compensation by itself; deleteSnapshot is still refused, so it fails.
    assert.equal(await autoRepairOf(env, started.job_id), 'failed');
    assert.equal((await service.status(started.job_id)).status, 'cleanup_required');

    faults.clear();
    await service.decide(started.job_id, 'compensate');
    await recovering.whenIdle();
    view = await settledStatus(service, started.job_id);
    assert.equal(view.workflow_status, 'compensated', view.error_message ?? '');
    assert.equal(view.status, 'cleaned_up');
    assert.deepEqual(volumeHashes(env.estate, last.ids, last.capacities), last.hashes, 'bytes of the last sync');
    await assertBackOnServer(env, vm, last.ids, started.job_id);
  } finally {
    // Closed also when an assertion fails, so the file ends instead of waiting on the runner's timers.
    await recovering.close();
    service.close();
  }
}
