// What the VM list shows besides the context row: the summed capacity of each VM's current disks, and when
// its last successful replication completed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { createRepositories } from '../src/repositories';
import { describeOnEngines } from '../src/testing';
import { createContext } from './fixtures';

const GiB = 1024 ** 3;

describeOnEngines('VM list summaries', ({ engine, database }) => {
  test(`[${engine}] capacityByContext sums the latest row of each disk, per context`, { timeout: 60_000 }, async () => {
    const clock = new ManualClock('2026-05-01T00:00:00.000Z');
    const repos = createRepositories(database().db, clock);
    const a = await createContext(repos);
    const b = await createContext(repos);
    const empty = await createContext(repos);
    const disk = (contextId: string, diskId: string, bytes: number) =>
      repos.vmDisks.create({ vm_context_id: contextId, disk_id: diskId, capacity_bytes: bytes, sync_status: 'synced' });
    await disk(a.context_id, 'disk-2000', 8 * GiB);
    await disk(a.context_id, 'disk-2001', 2 * GiB);
    await disk(b.context_id, 'disk-2000', 4 * GiB);
    await clock.advance(1000);
    // The disk grew in vCenter: the later row replaces the earlier one, it does not add to it.
    await disk(a.context_id, 'disk-2000', 10 * GiB);

    const totals = await repos.vmDisks.capacityByContext([a.context_id, b.context_id, empty.context_id]);
    assert.equal(totals.get(a.context_id), 12 * GiB);
    assert.equal(totals.get(b.context_id), 4 * GiB);
    assert.equal(totals.has(empty.context_id), false);
    assert.equal((await repos.vmDisks.capacityByContext([])).size, 0);
  });

  test(`[${engine}] completionTimes gives completed jobs only`, { timeout: 60_000 }, async () => {
    const clock = new ManualClock('2026-05-02T00:00:00.000Z');
    const repos = createRepositories(database().db, clock);
    const context = await createContext(repos);
    const done = await repos.replicationJobs.create({ vm_context_id: context.context_id, replication_type: 'initial' });
    const running = await repos.replicationJobs.create({
      vm_context_id: context.context_id,
      replication_type: 'incremental',
    });
    await clock.advance(60_000);
    assert.ok(await repos.replicationJobs.finish(done.id, 'completed'));

    const times = await repos.replicationJobs.completionTimes([done.id, running.id, 'job-unknown']);
    assert.equal(times.get(done.id)?.toISOString(), '2026-05-02T00:01:00.000Z');
    assert.equal(times.has(running.id), false);
    assert.equal(times.size, 1);
  });
});
