// Peer suite: power, guest shutdown, snapshots, CBT, typed faults and re-login against VMware's vcsim.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import {
  createHttpsTransport,
  fetchThumbprint,
  flattenSnapshots,
  InvalidStateError,
  ManagedObjectNotFoundError,
  MethodNotFoundError,
  type MoRef,
  moRef,
  type SoapTransport,
  type TaskProgress,
  vmConcerns,
  VsphereClient,
} from '@migratekit/vsphere';
import { hasVcsim, startVcsim, type Vcsim } from './vcsim-peer';

const skip = skipUnlessPeer('vcsim', hasVcsim);
let sim: Vcsim;
let pin: string;
let client: VsphereClient;

before(async () => {
  if (!hasVcsim) return;
  sim = await startVcsim();
  pin = (await fetchThumbprint(sim.host, sim.port)).sha256;
  client = await VsphereClient.connect({ host: sim.address, username: 'user', password: 'pass', thumbprint: pin });
});

after(async () => {
  if (!hasVcsim) return;
  await client.close();
  await sim.stop();
});

async function vmNamed(name: string): Promise<MoRef> {
  const [result] = await client.discoverVmDetails({ filter: name });
  assert.ok(result, `VM ${name} exists`);
  return result.details.ref;
}

const fastPoll = { initialDelayMs: 5, maxDelayMs: 50 };

test('power off and on, with InvalidPowerState as a typed InvalidStateError', { timeout: 120_000, skip }, async () => {
  const vm = await vmNamed('DC0_C0_RP0_VM0');
  assert.equal(await client.getPowerState(vm), 'poweredOn');
  const progress: TaskProgress[] = [];
  await client.powerOff(vm, { ...fastPoll, onProgress: (p) => progress.push(p) });
  assert.equal(await client.getPowerState(vm), 'poweredOff');
  assert.equal(progress.at(-1)?.state, 'success');
  await assert.rejects(client.powerOff(vm, fastPoll), (error: unknown) => {
    return error instanceof InvalidStateError && error.faultType === 'InvalidPowerState';
  });
  await client.powerOn(vm, fastPoll);
  assert.equal(await client.getPowerState(vm), 'poweredOn');
});

test('guest shutdown waits for poweredOff; a powered-off VM is already off', { timeout: 120_000, skip }, async () => {
  const vm = await vmNamed('DC0_C0_RP0_VM1');
  assert.equal(await client.shutdown(vm, { timeoutMs: 10_000, pollMs: 20 }), 'guest-shutdown');
  assert.equal(await client.getPowerState(vm), 'poweredOff');
  assert.equal(await client.shutdown(vm, { timeoutMs: 10_000, pollMs: 20 }), 'already-off');
  await client.powerOn(vm, fastPoll);
});

test(
  'snapshot create shows in the snapshot tree and discovery; remove clears it',
  { timeout: 120_000, skip },
  async () => {
    const vm = await vmNamed('DC0_H0_VM1');
    const snapshot = await client.createSnapshot(vm, { name: 'migratekit-1', description: 'replication' }, fastPoll);
    assert.equal(snapshot.type, 'VirtualMachineSnapshot');
    const details = await client.getVm(vm);
    const tree = flattenSnapshots(details.snapshot);
    assert.deepEqual(
      tree.map((s) => [s.name, s.snapshot.value]),
      [['migratekit-1', snapshot.value]],
    );
    assert.equal(details.snapshot?.current?.value, snapshot.value);
    assert.deepEqual(
      (await client.getSnapshotDisks(snapshot)).map((d) => d.key),
      details.disks.map((d) => d.key),
    );
    assert.ok(vmConcerns(details).some((c) => c.code === 'snapshots_present'));
    const [discovered] = await client.discoverVms({ filter: 'DC0_H0_VM1' });
    assert.equal(discovered?.has_snapshots, true);

    await client.removeSnapshot(snapshot, {}, fastPoll);
    const after = await client.getVm(vm);
    assert.equal(flattenSnapshots(after.snapshot).length, 0);
    await assert.rejects(client.removeSnapshot(snapshot, {}, fastPoll), ManagedObjectNotFoundError);
  },
);

test('CBT is enabled with ReconfigVM_Task and reads back', { timeout: 120_000, skip }, async () => {
  const vm = await vmNamed('DC0_H0_VM0');
  assert.equal((await client.getVm(vm)).changeTrackingEnabled, false);
  await client.setChangeTracking(vm, true, fastPoll);
  const details = await client.getVm(vm);
  assert.equal(details.changeTrackingEnabled, true);
  assert.ok(!vmConcerns(details).some((c) => c.code === 'cbt_disabled'));
  const [discovered] = await client.discoverVms({ filter: 'DC0_H0_VM0' });
  assert.equal(discovered?.cbt_enabled, true);
});

test(
  'an unknown managed object is ManagedObjectNotFoundError carrying the reference',
  { timeout: 120_000, skip },
  async () => {
    const ghost = moRef('VirtualMachine', 'vm-424242');
    await assert.rejects(client.powerOn(ghost), (error: unknown) => {
      assert.ok(error instanceof ManagedObjectNotFoundError);
      assert.equal(error.code, 'MKE_VSPHERE_OBJECT_NOT_FOUND');
      assert.deepEqual(error.obj, ghost);
      return true;
    });
    await assert.rejects(client.getVm(ghost), ManagedObjectNotFoundError);
    assert.equal(await client.findVmByInstanceUuid('00000000-0000-0000-0000-000000000000'), undefined);
    const known = await client.discoverVmDetails({ filter: 'DC0_H0_VM0' });
    assert.equal((await client.findVmByInstanceUuid(known[0]!.vm.id))?.value, known[0]!.details.ref.value);
  },
);

test(
  'vcsim has no QueryChangedDiskAreas: that is MethodNotFoundError (MKE_NOT_IMPLEMENTED)',
  { timeout: 120_000, skip },
  async () => {
    const vm = await vmNamed('DC0_H0_VM0');
    const snapshot = await client.createSnapshot(vm, { name: 'cbt' }, fastPoll);
    try {
      await assert.rejects(
        client.queryChangedDiskAreas({ vm, snapshot, deviceKey: 2000, changeId: '*', capacityBytes: 1 << 20 }),
        (error: unknown) => error instanceof MethodNotFoundError && error.code === 'MKE_NOT_IMPLEMENTED',
      );
    } finally {
      await client.removeSnapshot(snapshot, {}, fastPoll);
    }
  },
);

test('an expired session (NotAuthenticated) logs in again once and retries', { timeout: 120_000, skip }, async () => {
  const inner = createHttpsTransport({ host: sim.host, port: sim.port, thumbprint: pin });
  let dropCookieOnce = false;
  let posts = 0;
  const transport: SoapTransport = {
    endpoint: inner.endpoint,
    post: (req) => {
      posts += 1;
      if (dropCookieOnce) {
        dropCookieOnce = false;
        // vcsim then answers as vCenter does for an expired session: a NotAuthenticated fault.
        return inner.post({ ...req, cookie: undefined });
      }
      return inner.post(req);
    },
    close: () => inner.close(),
  };
  const own = await VsphereClient.connect({ host: sim.address, username: 'user', password: 'pass', transport });
  try {
    const vm = await vmNamed('DC0_H0_VM0');
    const expected = await client.getPowerState(vm);
    const before = posts;
    dropCookieOnce = true;
    assert.equal(await own.getPowerState(vm), expected);
    // The failed call, Login, and the retried call.
    assert.equal(posts - before, 3);
  } finally {
    await own.close();
  }
});
