// Acceptance (issue 4): with 10% of CloudStack calls and jobs failing (seeded), every volume operation ends
// completed or failed with a reason, and the simulator never holds a volume the database does not know.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isMigrateKitError } from '@migratekit/core';
import type { CloudstackVolumeRecord } from '@migratekit/db';
import { dataVolumes, deployStoppedVm, startVolumeFixture, type VolumeFixture } from './volume-fixture';

const GIB = 1024 ** 3;
let fx: VolumeFixture;

before(async () => {
  fx = await startVolumeFixture();
});
after(async () => {
  await fx.close();
});

async function knownVolumeIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const volume of dataVolumes(fx)) {
    if ((await fx.repositories.cloudstackVolumes.getByVolumeId(volume.id)) !== undefined) ids.add(volume.id);
  }
  return ids;
}

async function assertEveryVolumeKnown(when: string): Promise<void> {
  await fx.sim.simulator.settle();
  const known = await knownVolumeIds();
  const unknown = dataVolumes(fx).filter((v) => !known.has(v.id));
  assert.deepEqual(unknown, [], `${when}: the simulator holds volumes the database does not know`);
}

test(
  '10% injected CloudStack failures: operations end completed or failed with a reason, no unknown volume',
  { timeout: 120_000 },
  async () => {
    const testVm = await deployStoppedVm(fx, 'chaos-test-vm');
    fx.sim.controls.setFailureRate(0.1, { seed: 20261123, jobs: true });
    const outcomes = { ok: 0, failed: 0 };
    const attempt = async (work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
        outcomes.ok++;
      } catch (error) {
        // Failures surface as catalogue errors with a message, never as raw transport objects.
        assert.ok(isMigrateKitError(error), String(error));
        assert.ok(error.message.length > 0);
        outcomes.failed++;
      }
    };
    const contexts: string[] = [];
    const seen = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const contextId = await fx.newContext(`chaos-${round}`);
      contexts.push(contextId);
      for (const diskId of ['disk-2000', 'disk-2001', 'disk-2002']) {
        await attempt(() =>
          fx.daemon.ensureVolume({ contextId, diskId, sizeBytes: GIB, name: `chaos-${round}-${diskId}` }),
        );
      }
      await assertEveryVolumeKnown(`after creating round ${round}`);
      for (const row of await fx.repositories.cloudstackVolumes.listByContext(contextId)) {
        seen.add(row.volume_id);
        await attempt(() => fx.daemon.attachToServer(row.volume_id));
        let snapshotId: string | undefined;
        await attempt(async () => {
          snapshotId = (await fx.daemon.createSnapshot(row.volume_id)).snapshotId;
        });
        await attempt(() => fx.daemon.attachToVm(row.volume_id, testVm));
        await attempt(() => fx.daemon.detach(row.volume_id));
        if (snapshotId !== undefined) {
          const id = snapshotId;
          await attempt(() => fx.daemon.revertSnapshot(id));
          await attempt(() => fx.daemon.deleteSnapshot(id));
        }
        await attempt(() => fx.daemon.attachToServer(row.volume_id));
      }
      await assertEveryVolumeKnown(`after round ${round}`);
      if (round % 2 === 1) await attempt(() => fx.daemon.deleteContextVolumes(contextId));
      await assertEveryVolumeKnown(`after deleting round ${round}`);
    }
    assert.ok(outcomes.failed > 0, 'the injected failures reached the daemon');
    assert.ok(outcomes.ok > outcomes.failed, `most calls still succeed (${JSON.stringify(outcomes)})`);

    // No operation is left pending/executing; each failure says why.
    assert.deepEqual(await fx.repositories.volumeOperations.listUnfinished(), []);
    const ops = (await Promise.all([...seen].map((id) => fx.repositories.volumeOperations.listByVolume(id)))).flat();
    assert.ok(ops.length > seen.size * 4);
    for (const op of ops) {
      assert.ok(op.status === 'completed' || op.status === 'failed', op.status);
      if (op.status === 'failed') assert.ok((op.error ?? '').length > 0, `operation ${op.id} failed without a reason`);
    }
    assert.ok(ops.some((op) => op.status === 'failed'));

    // With the faults off, the daemon cleans up everything it knows: nothing is left behind in CloudStack.
    fx.sim.controls.clear();
    for (const contextId of contexts) await fx.daemon.deleteContextVolumes(contextId);
    await fx.sim.simulator.settle();
    assert.deepEqual(dataVolumes(fx), []);
    assert.deepEqual(fx.sim.inventory().snapshots, []);
  },
);

test('deleteContextVolumes tries every volume and reports the ones that failed', { timeout: 120_000 }, async () => {
  const contextId = await fx.newContext('partial-delete');
  const rows: CloudstackVolumeRecord[] = [];
  for (const diskId of ['disk-2000', 'disk-2001', 'disk-2002'])
    rows.push(await fx.daemon.ensureVolume({ contextId, diskId, sizeBytes: GIB, name: `partial-${diskId}` }));
  fx.sim.controls.failNext('deleteVolume', 1, { errorcode: 530, errortext: 'storage pool unreachable' });
  await assert.rejects(fx.daemon.deleteContextVolumes(contextId), (error) => {
    assert.ok(isMigrateKitError(error));
    assert.equal(error.code, 'MKE_UPSTREAM_ERROR');
    assert.match(error.message, /1 of 3 volumes/);
    const failures = error.details?.failures as { volume_id: string; error: string }[];
    assert.deepEqual(
      failures.map((f) => f.volume_id),
      [rows[0]?.volume_id],
    );
    assert.match(failures[0]?.error ?? '', /storage pool unreachable/);
    return true;
  });
  const left = await fx.repositories.cloudstackVolumes.listByContext(contextId);
  assert.deepEqual(
    left.map((r) => r.volume_id),
    [rows[0]?.volume_id],
  );
  assert.equal(await fx.daemon.deleteContextVolumes(contextId), 1, 'a retry finishes the job');
  assert.deepEqual(await fx.repositories.cloudstackVolumes.listByContext(contextId), []);
});
