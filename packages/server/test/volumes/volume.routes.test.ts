// The read-only operator views: volumes, operations, device mappings, NBD exports (auth, paging, filters).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newContextId } from '@migratekit/core';
import { createTestApp, type TestApp } from '../test-app';

let t: TestApp;
let contextA: string;
let contextB: string;
const VOL_A1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const VOL_A2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const VOL_B1 = 'bbbbbbbb-0000-4000-8000-000000000001';

before(async () => {
  t = await createTestApp();
  const repos = t.repositories;
  contextA = newContextId('web-01', t.clock.now());
  contextB = newContextId('db-01', t.clock.now());
  await repos.contexts.create({ context_id: contextA, vm_name: 'web-01', vmware_vm_id: 'vm-a' });
  await repos.contexts.create({ context_id: contextB, vm_name: 'db-01', vmware_vm_id: 'vm-b' });
  const volume = (contextId: string, volumeId: string, diskId: string) =>
    repos.cloudstackVolumes.create({
      vm_context_id: contextId,
      volume_id: volumeId,
      name: `${contextId}-${diskId}`,
      disk_id: diskId,
      size_bytes: 8 * 1024 ** 3,
      device_id: 1,
      attached_vm_id: 'server-vm',
      mode: 'oma',
      snapshot_id: null,
      snapshot_status: null,
    });
  await volume(contextA, VOL_A1, 'disk-2000');
  await volume(contextA, VOL_A2, 'disk-2001');
  await volume(contextB, VOL_B1, 'disk-2000');
  const done = await repos.volumeOperations.create({
    vm_context_id: contextA,
    type: 'attach',
    volume_id: VOL_A1,
    vm_id: 'server-vm',
    request: { id: VOL_A1 },
  });
  await repos.volumeOperations.markExecuting(done.id);
  await repos.volumeOperations.complete(done.id, { deviceid: 1 });
  await t.clock.advance(1000);
  const failed = await repos.volumeOperations.create({ vm_context_id: contextA, type: 'detach', volume_id: VOL_A2 });
  await repos.volumeOperations.fail(failed.id, 'CloudStack detachVolume failed (530): busy');
  await repos.deviceMappings.upsert({
    volume_id: VOL_A1,
    vm_context_id: contextA,
    vm_id: 'server-vm',
    linux_device_path: '/dev/vdb',
    persistent_device_name: '/dev/disk/by-id/virtio-aaaaaaaa000040008000',
    symlink_path: '/dev/disk/by-id/virtio-aaaaaaaa000040008000',
    size: 8 * 1024 ** 3,
    cloudstack_state: 'attached',
    linux_state: 'present',
    last_sync: t.clock.now(),
  });
  await repos.nbdExports.upsert({
    export_name: `vol-${VOL_A1}`,
    vm_context_id: contextA,
    volume_id: VOL_A1,
    device_path: '/dev/vdb',
    status: 'active',
  });
});
after(async () => {
  await t.close();
});

const get = (url: string, headers = t.admin) => t.app.inject({ method: 'GET', url, headers });

test('volume views need authentication', { timeout: 120_000 }, async () => {
  for (const url of [
    '/api/v1/volumes',
    '/api/v1/volumes/operations',
    '/api/v1/volumes/device-mappings',
    '/api/v1/nbd/exports',
  ])
    assert.equal((await get(url, {})).statusCode, 401, url);
  const viewer = await t.userWithRole('viewer');
  assert.equal((await get('/api/v1/volumes', viewer)).statusCode, 200);
});

test('GET /api/v1/volumes pages and filters by context', { timeout: 120_000 }, async () => {
  const all = (await get('/api/v1/volumes')).json<{ items: { volume_id: string }[]; total: number }>();
  assert.equal(all.total, 3);
  const page = (await get('/api/v1/volumes?limit=2&offset=2')).json<{
    items: unknown[];
    total: number;
    limit: number;
  }>();
  assert.equal(page.items.length, 1);
  assert.equal(page.total, 3);
  assert.equal(page.limit, 2);
  const onlyB = (await get(`/api/v1/volumes?context_id=${contextB}`)).json<{
    items: { volume_id: string; context_id: string; mode: string; size_bytes: number }[];
  }>();
  assert.deepEqual(
    onlyB.items.map((v) => [v.volume_id, v.context_id, v.mode, v.size_bytes]),
    [[VOL_B1, contextB, 'oma', 8 * 1024 ** 3]],
  );
  assert.equal((await get('/api/v1/volumes?limit=0')).statusCode, 400);
});

test('GET /api/v1/volumes/operations lists newest first with status and error', { timeout: 120_000 }, async () => {
  const ops = (await get(`/api/v1/volumes/operations?context_id=${contextA}`)).json<{
    items: { type: string; status: string; error: string | null; response: unknown }[];
    total: number;
  }>();
  assert.deepEqual(
    ops.items.map((o) => [o.type, o.status]),
    [
      ['detach', 'failed'],
      ['attach', 'completed'],
    ],
  );
  assert.match(ops.items[0]?.error ?? '', /busy/);
  assert.deepEqual(ops.items[1]?.response, { deviceid: 1 });
  const failed = (await get('/api/v1/volumes/operations?status=failed')).json<{ total: number }>();
  assert.equal(failed.total, 1);
  const byVolume = (await get(`/api/v1/volumes/operations?volume_id=${VOL_A1}`)).json<{ total: number }>();
  assert.equal(byVolume.total, 1);
  assert.equal((await get('/api/v1/volumes/operations?status=weird')).statusCode, 400);
});

test('device mappings and NBD exports', { timeout: 120_000 }, async () => {
  const mappings = (await get('/api/v1/volumes/device-mappings')).json<{
    items: { volume_id: string; persistent_device_name: string; linux_device_path: string }[];
  }>();
  assert.deepEqual(
    mappings.items.map((m) => [m.volume_id, m.linux_device_path, m.persistent_device_name]),
    [[VOL_A1, '/dev/vdb', '/dev/disk/by-id/virtio-aaaaaaaa000040008000']],
  );
  const exports = (await get('/api/v1/nbd/exports')).json<{
    items: { export_name: string; volume_id: string; status: string }[];
    total: number;
  }>();
  assert.deepEqual(
    exports.items.map((e) => [e.export_name, e.volume_id, e.status]),
    [[`vol-${VOL_A1}`, VOL_A1, 'active']],
  );
  const none = (await get(`/api/v1/nbd/exports?context_id=${contextB}`)).json<{ total: number }>();
  assert.equal(none.total, 0);
});
