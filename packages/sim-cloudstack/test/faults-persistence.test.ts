import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { CloudStackApiError, CloudStackTransportError } from '@migratekit/cloudstack';
import { DEFAULT_SEED, DEFAULT_SERVER_VM_ID, DEFAULT_ZONE_ID } from '../src/default-seed';
import { volumeSerial } from '../src/volume-files';
import { rejection, startFixture } from './sim-fixture';

const DISK = String(DEFAULT_SEED.diskOfferings.find((o) => o.name === 'Custom')?.id);

test(
  'failNext: reads are retried by the client, a dropped create is not repeated and creates nothing',
  { timeout: 120_000 },
  async () => {
    const fx = await startFixture();
    try {
      fx.sim.controls.failNext('listZones', 1, { errorcode: 429 });
      fx.sim.controls.failNext('listZones', 1, { mode: 'drop' });
      assert.equal((await fx.client.listZones()).length, 2, 'a 429 and a dropped connection are retried for reads');
      fx.sim.controls.failNext('listZones', 1, { errorcode: 530 });
      const notRetried = await rejection(fx.client.listZones());
      assert.ok(
        notRetried instanceof CloudStackApiError && notRetried.errorCode === 530,
        'a 530 is reported, not retried',
      );

      fx.sim.controls.failNext('createVolume', 1, { mode: 'drop' });
      const dropped = await rejection(
        fx.client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: DISK, size: 1 }),
      );
      assert.ok(dropped instanceof CloudStackTransportError);
      assert.equal(fx.sim.inventory().volumes.filter((v) => v.type === 'DATADISK').length, 0);

      fx.sim.controls.failNext('deleteVolume', 1, { errorcode: 431, errortext: 'injected' });
      const volume = await fx.client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: DISK, size: 1 });
      const injected = await rejection(fx.client.deleteVolume(volume.id));
      assert.ok(injected instanceof CloudStackApiError);
      assert.equal(injected.errorCode, 431);
      assert.equal(injected.csErrorCode, 4350);
      assert.equal(injected.errorText, 'injected');
      await fx.client.deleteVolume(volume.id);
    } finally {
      await fx.close();
    }
  },
);

test(
  'failJobs: the job ends with status 2 and the volume is left exactly as before',
  { timeout: 120_000 },
  async () => {
    const fx = await startFixture();
    try {
      const volume = await fx.client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: DISK, size: 1 });
      fx.sim.controls.failJobs('attachVolume', 1);
      const failed = await rejection(fx.client.attachVolume({ id: volume.id, virtualmachineid: fx.sim.serverVmId }));
      assert.ok(failed instanceof CloudStackApiError);
      assert.equal(failed.errorCode, 530);
      assert.ok(failed.jobId);
      const [after] = await fx.client.listVolumes({ id: volume.id });
      assert.equal(after?.state, 'Allocated');
      assert.equal(after?.virtualmachineid, undefined);
      assert.equal(existsSync(join(fx.byIdDir, `virtio-${volumeSerial(volume.id)}`)), false);
      const attached = await fx.client.attachVolume({ id: volume.id, virtualmachineid: fx.sim.serverVmId });
      assert.equal(attached.deviceid, 1, 'the failed attempt did not hold a device id');
    } finally {
      await fx.close();
    }
  },
);

test('controls over HTTP: faults, latency, failure rate and the inventory dump', { timeout: 120_000 }, async () => {
  const fx = await startFixture();
  try {
    const base = `http://${fx.sim.hostPort}/_sim`;
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    assert.equal((await post('/faults', { command: 'listNetworks', count: 1, errorcode: 530 })).status, 200);
    const described = (await (await fetch(`${base}/faults`)).json()) as { calls: { command: string }[] };
    assert.deepEqual(
      described.calls.map((c) => c.command),
      ['listNetworks'],
    );
    assert.equal((await fetch(`${base}/faults`, { method: 'DELETE' })).status, 200);
    assert.ok((await fx.client.listNetworks()).length > 0);

    await post('/failure-rate', { rate: 1, commands: ['listDomains'], seed: 7 });
    const failing = await rejection(fx.client.listDomains());
    assert.ok(failing instanceof CloudStackApiError);
    await post('/failure-rate', { rate: 0 });
    assert.equal((await fx.client.listDomains()).length, 2);

    await post('/latency', { command: 'listZones', ms: 30 });
    const started = Date.now();
    await fx.client.listZones();
    assert.ok(Date.now() - started >= 25, 'latency is applied to the reply');

    const inventory = (await (await fetch(`${base}/inventory`)).json()) as {
      serverVmId: string;
      vms: { id: string; isServer: boolean }[];
    };
    assert.equal(inventory.serverVmId, DEFAULT_SERVER_VM_ID);
    assert.deepEqual(
      inventory.vms.map((vm) => [vm.id, vm.isServer]),
      [[DEFAULT_SERVER_VM_ID, true]],
    );
  } finally {
    await fx.close();
  }
});

test(
  'state persists in the data dir: a restart keeps volumes, links, and finishes jobs left pending',
  { timeout: 120_000 },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mk-cs-persist-'));
    try {
      const first = await startFixture({ dir });
      const volume = await first.client.createVolume({
        name: 'keep',
        zoneid: DEFAULT_ZONE_ID,
        diskofferingid: DISK,
        size: 1,
      });
      await first.client.attachVolume({ id: volume.id, virtualmachineid: first.sim.serverVmId });
      await first.close();

      const clock = new ManualClock(new Date());
      const second = await startFixture({ dir, clock, jobLatencyMs: 60_000 });
      const [kept] = await second.client.listVolumes({ id: volume.id });
      assert.equal(kept?.virtualmachineid, DEFAULT_SERVER_VM_ID);
      const link = join(second.byIdDir, `virtio-${volumeSerial(volume.id)}`);
      assert.equal(await readlink(link), join(second.dataDir, 'volumes', `${volume.id}.img`));
      // Submit a detach whose job will still be pending when the simulator stops.
      const submitted = await second.client.call('detachVolume', { id: volume.id });
      await second.close();

      const third = await startFixture({ dir });
      await third.sim.simulator.settle();
      const job = third.sim.simulator.jobResult(String(submitted.jobid));
      assert.equal(job?.jobstatus, 1);
      assert.equal((await third.client.listVolumes({ id: volume.id }))[0]?.virtualmachineid, undefined);
      assert.equal(existsSync(link), false);
      await third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
