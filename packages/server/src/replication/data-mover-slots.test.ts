// The data mover's attachment slots on a real database: a VM whose disks fit is let through (its own attached
// volumes count once), one that would exceed the slots is refused with the numbers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ManualClock, newContextId } from '@migratekit/core';
import { createRepositories, type Repositories } from '@migratekit/db';
import { createSqliteTestDatabase } from '@migratekit/db/testing';
import { assertFreeSlots } from './data-mover-slots';

async function contextWithVolumes(repositories: Repositories, clock: ManualClock, attached: number, vmId: string) {
  const name = `vm-${randomBytes(3).toString('hex')}`;
  const contextId = newContextId(name, clock.now());
  await repositories.contexts.create({ context_id: contextId, vm_name: name, vmware_vm_id: `uuid-${name}` });
  for (let i = 0; i < attached; i++)
    await repositories.cloudstackVolumes.create({
      vm_context_id: contextId,
      volume_id: `vol-${name}-${i}`,
      name: `${name}-disk-${i}`,
      disk_id: `disk-${2000 + i}`,
      size_bytes: 1024,
      device_id: i + 1,
      attached_vm_id: vmId,
      mode: 'oma',
    });
  return contextId;
}

test('a replication needs free attachment slots on its data mover', { timeout: 120_000 }, async (t) => {
  const database = await createSqliteTestDatabase();
  t.after(() => database.drop());
  const clock = new ManualClock('2026-07-01T10:00:00Z');
  const repositories = createRepositories(database.db, clock);
  const mover = 'mover-vm-1';
  await contextWithVolumes(repositories, clock, 3, mover);
  await contextWithVolumes(repositories, clock, 2, 'another-mover');
  const again = await contextWithVolumes(repositories, clock, 2, mover);
  const fresh = await contextWithVolumes(repositories, clock, 0, mover);

  await assertFreeSlots(repositories, { moverVmId: mover, slots: 6, contextId: again, disks: 2 });
  await assertFreeSlots(repositories, { moverVmId: mover, slots: 6, contextId: again, disks: 3 });
  await assertFreeSlots(repositories, { moverVmId: mover, slots: 6, contextId: fresh, disks: 1 });
  await assert.rejects(assertFreeSlots(repositories, { moverVmId: mover, slots: 6, contextId: fresh, disks: 2 }), {
    code: 'MKE_CONFLICT',
    message: /has 1 of 6 attachment slots free; this VM needs 2 more/,
  });
});
