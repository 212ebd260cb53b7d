// The volume daemon's tables listed for the operator views: filters, paging with totals, stable order, and
// operations that outlive their volume row. Each test file has its own database, so unfiltered totals are exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { createRepositories, type Repositories } from '../src/repositories';
import type { VolumeMode } from '../src/repositories/cloudstack-volume.repository';
import { describeOnEngines } from '../src/testing';
import { createContext } from './fixtures';

function addVolume(
  repos: Repositories,
  contextId: string,
  volumeId: string,
  fields: { disk_id?: string | null; mode?: VolumeMode; attached_vm_id?: string | null } = {},
) {
  return repos.cloudstackVolumes.create({
    vm_context_id: contextId,
    volume_id: volumeId,
    name: `${contextId}-${volumeId}`,
    disk_id: fields.disk_id === undefined ? `disk-${volumeId}` : fields.disk_id,
    size_bytes: 1024 ** 3,
    device_id: null,
    attached_vm_id: fields.attached_vm_id === undefined ? 'server-vm' : fields.attached_vm_id,
    mode: fields.mode ?? 'oma',
    snapshot_id: null,
    snapshot_status: null,
  });
}

describeOnEngines('volume repositories', ({ engine, database }) => {
  test(
    `[${engine}] cloudstack volumes list by context, mode and attached VM, paged with a total`,
    { timeout: 120_000 },
    async () => {
      const repos = createRepositories(database().db, new ManualClock('2026-05-01T00:00:00.000Z'));
      const a = await createContext(repos, { context_id: 'ctx-vols-a' });
      const b = await createContext(repos, { context_id: 'ctx-vols-b' });
      await addVolume(repos, a.context_id, 'va-2', { disk_id: 'disk-2001' });
      await addVolume(repos, a.context_id, 'va-null', { disk_id: null });
      await addVolume(repos, a.context_id, 'va-1', { disk_id: 'disk-2000' });
      await addVolume(repos, b.context_id, 'vb-1', { mode: 'failover', attached_vm_id: 'failed-over-vm' });
      await addVolume(repos, b.context_id, 'vb-2', { attached_vm_id: null });

      const all = await repos.cloudstackVolumes.list();
      assert.equal(all.total, 5);
      // By context, then disk id with the volume that has none last, on every engine.
      assert.deepEqual(
        all.items.map((v) => v.volume_id),
        ['va-1', 'va-2', 'va-null', 'vb-1', 'vb-2'],
      );
      const second = await repos.cloudstackVolumes.list({}, { limit: 2, offset: 2 });
      assert.deepEqual(
        second.items.map((v) => v.volume_id),
        ['va-null', 'vb-1'],
      );
      assert.equal(second.total, 5);

      const onlyA = await repos.cloudstackVolumes.list({ contextId: a.context_id }, { limit: 1 });
      assert.equal(onlyA.total, 3);
      assert.deepEqual(
        onlyA.items.map((v) => v.volume_id),
        ['va-1'],
      );
      const failover = await repos.cloudstackVolumes.list({ mode: 'failover' });
      assert.deepEqual(
        failover.items.map((v) => [v.volume_id, v.mode]),
        [['vb-1', 'failover']],
      );
      const onServer = await repos.cloudstackVolumes.list({ attachedVmId: 'server-vm', contextId: b.context_id });
      assert.equal(onServer.total, 0);
      assert.equal((await repos.cloudstackVolumes.list({ attachedVmId: 'server-vm' })).total, 3);
    },
  );

  test(
    `[${engine}] volume operations list newest first, filtered, including those whose volume is gone`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-05-02T00:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      const ctx = await createContext(repos, { context_id: 'ctx-ops' });
      await addVolume(repos, ctx.context_id, 'op-vol-kept');
      await addVolume(repos, ctx.context_id, 'op-vol-gone');
      const ops = repos.volumeOperations;
      const attach = await ops.create({ vm_context_id: ctx.context_id, type: 'attach', volume_id: 'op-vol-kept' });
      await ops.complete(attach.id, { deviceid: 1 });
      await clock.advance(1000);
      const remove = await ops.create({ vm_context_id: ctx.context_id, type: 'delete', volume_id: 'op-vol-gone' });
      await ops.complete(remove.id);
      assert.equal(await repos.cloudstackVolumes.delete('op-vol-gone'), true);
      await clock.advance(1000);
      // A create that failed before CloudStack assigned a volume id has no volume at all.
      const create = await ops.create({ vm_context_id: ctx.context_id, type: 'create', request: { size: 1 } });
      await ops.fail(create.id, 'CloudStack createVolume failed (530): no capacity');
      await clock.advance(1000);
      const pending = await ops.create({ vm_context_id: null, type: 'detach', volume_id: 'op-vol-kept' });

      const all = await ops.list();
      assert.equal(all.total, 4);
      assert.deepEqual(
        all.items.map((o) => o.id),
        [pending.id, create.id, remove.id, attach.id],
      );
      const page = await ops.list({}, { limit: 2, offset: 1 });
      assert.deepEqual(
        page.items.map((o) => o.id),
        [create.id, remove.id],
      );
      assert.equal(page.total, 4);

      const inContext = await ops.list({ contextId: ctx.context_id });
      assert.deepEqual(
        inContext.items.map((o) => o.type),
        ['create', 'delete', 'attach'],
      );
      assert.deepEqual(
        (await ops.list({ volumeId: 'op-vol-gone' })).items.map((o) => [o.type, o.status]),
        [['delete', 'completed']],
      );
      const failed = await ops.list({ status: 'failed' });
      assert.deepEqual(
        failed.items.map((o) => [o.type, o.error]),
        [['create', 'CloudStack createVolume failed (530): no capacity']],
      );
      assert.deepEqual(failed.items[0]?.request, { size: 1 });
      assert.equal((await ops.list({ type: 'detach', status: 'pending' })).total, 1);
      assert.equal((await ops.list({ type: 'detach', status: 'completed' })).total, 0);
      assert.equal((await ops.list({ volumeId: 'op-vol-kept', contextId: ctx.context_id })).total, 1);
    },
  );

  test(`[${engine}] device mappings and NBD exports page by key with totals`, { timeout: 120_000 }, async () => {
    const repos = createRepositories(database().db);
    const a = await createContext(repos, { context_id: 'ctx-dev-a' });
    const b = await createContext(repos, { context_id: 'ctx-dev-b' });
    const volumes: [string, string][] = [
      ['dm-3', a.context_id],
      ['dm-1', b.context_id],
      ['dm-2', a.context_id],
    ];
    for (const [volumeId, contextId] of volumes) {
      await repos.deviceMappings.upsert({
        volume_id: volumeId,
        vm_context_id: contextId,
        vm_id: 'server-vm',
        linux_device_path: `/dev/vd-${volumeId}`,
      });
      await repos.nbdExports.upsert({
        export_name: `vol-${volumeId}`,
        vm_context_id: contextId,
        volume_id: volumeId,
        device_path: `/dev/vd-${volumeId}`,
        status: volumeId === 'dm-2' ? 'stale' : 'active',
      });
    }

    const mappings = await repos.deviceMappings.list({}, { limit: 2 });
    assert.equal(mappings.total, 3);
    assert.deepEqual(
      mappings.items.map((m) => m.volume_id),
      ['dm-1', 'dm-2'],
    );
    const rest = await repos.deviceMappings.list({}, { limit: 2, offset: 2 });
    assert.deepEqual(
      rest.items.map((m) => m.volume_id),
      ['dm-3'],
    );
    const ofA = await repos.deviceMappings.list({ contextId: a.context_id });
    assert.deepEqual(
      ofA.items.map((m) => m.volume_id),
      ['dm-2', 'dm-3'],
    );
    assert.equal((await repos.deviceMappings.list({ vmId: 'other-vm' })).total, 0);

    const exports = await repos.nbdExports.listPage({}, { limit: 1, offset: 1 });
    assert.equal(exports.total, 3);
    assert.deepEqual(
      exports.items.map((e) => e.export_name),
      ['vol-dm-2'],
    );
    const active = await repos.nbdExports.listPage({ status: 'active', contextId: a.context_id });
    assert.deepEqual(
      active.items.map((e) => e.export_name),
      ['vol-dm-3'],
    );
    assert.equal(active.total, 1);
    // The unpaged list the daemon reads still returns every export.
    assert.equal((await repos.nbdExports.list()).length, 3);
  });
});
