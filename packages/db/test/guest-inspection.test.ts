// guest_inspections on every engine: a context's latest inspection replaces the previous one and goes with the
// context when it is deleted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { createRepositories } from '../src/repositories';
import { describeOnEngines } from '../src/testing';
import { createContext } from './fixtures';

describe('guest inspection repository', { timeout: 120_000 }, () => {
  describeOnEngines('guest inspections', ({ engine, database }) => {
    test(`[${engine}] record stores the inspection and a later one replaces it`, async () => {
      const clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
      const repos = createRepositories(database().db, clock);
      const ctx = await createContext(repos);
      assert.equal(await repos.guestInspections.get(ctx.context_id), undefined);

      await repos.guestInspections.record({
        vm_context_id: ctx.context_id,
        os_family: 'unknown',
        distribution: null,
        version: null,
        kernel: null,
        convertible: false,
        reason: 'no operating system was found on the disks',
        devices: ['/dev/vdb'],
      });
      await clock.advance(60_000);
      const latest = await repos.guestInspections.record({
        vm_context_id: ctx.context_id,
        os_family: 'linux',
        distribution: 'debian',
        version: '12',
        kernel: '6.1.0-50-amd64',
        convertible: true,
        reason: null,
        devices: ['/dev/vdb', '/dev/vdc'],
      });
      assert.deepEqual(latest, {
        vm_context_id: ctx.context_id,
        os_family: 'linux',
        distribution: 'debian',
        version: '12',
        kernel: '6.1.0-50-amd64',
        convertible: true,
        reason: null,
        devices: ['/dev/vdb', '/dev/vdc'],
        inspected_at: new Date('2026-03-01T10:01:00.000Z'),
      });
      assert.deepEqual(await repos.guestInspections.get(ctx.context_id), latest);
    });

    test(`[${engine}] deleting the context deletes its inspection`, async () => {
      const repos = createRepositories(database().db);
      const ctx = await createContext(repos);
      await repos.guestInspections.record({
        vm_context_id: ctx.context_id,
        os_family: 'windows',
        distribution: 'windows',
        version: '10.0',
        kernel: null,
        convertible: false,
        reason: 'no drivers',
        devices: ['/dev/vdb'],
      });
      await database().db.deleteFrom('vm_replication_contexts').where('context_id', '=', ctx.context_id).execute();
      assert.equal(await repos.guestInspections.get(ctx.context_id), undefined);
    });
  });
});
