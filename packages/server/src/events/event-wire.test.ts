// The wire form of events between servers and the bus's local/remote split: an event read back from JSON equals
// the one a local subscriber got (dates included), the progress throttle lets one report per job per interval
// through, and only subscribers that ask for remote events receive them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { createRepositories } from '@migratekit/db';
import { describeOnEngines } from '@migratekit/db/testing';
import { JobLog } from '../joblog';
import { EventBus } from './event-bus';
import type { ReplicationProgressEvent, ServerEvent } from './event-types';
import {
  ProgressThrottle,
  decodeEnvelope,
  decodeEvent,
  encodeEnvelope,
  encodeEvent,
  encodeReference,
} from './event-wire';

describeOnEngines('event wire', ({ engine, database }) => {
  test(
    `[${engine}] job, step and log events read back equal to what a local subscriber got`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-06-01T08:00:00.123Z');
      const local: ServerEvent[] = [];
      const joblog = new JobLog({
        repositories: createRepositories(database().db, clock),
        clock,
        publish: (event) => local.push(event),
      });
      const job = await joblog.startJob({ jobType: 'replication', operation: 'copy db01' });
      await joblog.runStep(job.id, 'copy disks', async (step) => {
        await clock.advance(1500);
        await step.log('info', 'disk done', {
          bytes: 1024,
          finished_at: 'not a date',
          when: '2026-06-01T08:00:00.000Z',
        });
      });
      await joblog.completeJob(job.id);
      assert.ok(local.some((e) => e.type === 'job.step') && local.some((e) => e.type === 'job.log'));
      for (const event of local) {
        const remote = decodeEnvelope(encodeEnvelope('server-b', event));
        assert.ok(remote !== undefined && 'event' in remote);
        assert.equal(remote.origin, 'server-b');
        assert.deepEqual(remote.event, event);
        assert.equal(JSON.stringify(remote.event), JSON.stringify(event), 'the SSE frame is the same');
      }
      const log = local.find((e) => e.type === 'job.log');
      const decoded = decodeEvent(encodeEvent(log as ServerEvent));
      assert.ok(decoded?.type === 'job.log');
      // A date-like string under a key that is not a record date stays a string.
      assert.equal((decoded.log.fields as Record<string, unknown>).when, '2026-06-01T08:00:00.000Z');
      assert.ok(decoded.log.created_at instanceof Date);
    },
  );
});

test('context events keep their date; unknown types and references decode as such', { timeout: 120_000 }, () => {
  const at = new Date('2026-06-01T08:00:00.000Z');
  const event: ServerEvent = { type: 'context.updated', context_id: 'ctx-1', current_status: 'discovered', at };
  assert.deepEqual(decodeEvent(encodeEvent(event)), event);
  assert.equal(decodeEvent('{"type":"cluster.rebalanced"}'), undefined);
  assert.equal(decodeEnvelope('{"o":"b","e":{"type":"cluster.rebalanced"}}'), undefined);
  assert.equal(decodeEnvelope('{"e":{"type":"job.log"}}'), undefined);
  assert.deepEqual(decodeEnvelope(encodeReference('b', 42)), { origin: 'b', ref: 42 });
});

test('the progress throttle lets one report per job per interval through', { timeout: 120_000 }, async () => {
  const clock = new ManualClock();
  const throttle = new ProgressThrottle(1000, () => clock.now().getTime(), 2);
  const progress = (jobId: string): ReplicationProgressEvent => ({
    type: 'replication.progress',
    job_id: jobId,
    context_id: 'ctx',
    phase: 'copy',
    bytes_done: 1,
    bytes_total: 2,
    progress_percent: 50,
    current_bps: 1,
    avg_bps: 1,
    peak_bps: 1,
    eta_seconds: 1,
    disks: [],
  });
  assert.equal(throttle.admits(progress('a')), true);
  assert.equal(throttle.admits(progress('a')), false);
  assert.equal(throttle.admits(progress('b')), true, 'another job has its own interval');
  assert.equal(
    throttle.admits({ type: 'context.updated', context_id: 'c', current_status: 'discovered', at: clock.now() }),
    true,
  );
  await clock.advance(999);
  assert.equal(throttle.admits(progress('a')), false);
  await clock.advance(1);
  assert.equal(throttle.admits(progress('a')), true);
  // Full (2 jobs tracked): old entries go, the map does not grow past the bound.
  await clock.advance(1000);
  assert.equal(throttle.admits(progress('c')), true);
  assert.equal(throttle.admits(progress('c')), false);
});

test('remote events reach only subscribers that ask for them and are not forwarded again', { timeout: 120_000 }, () => {
  const forwarded: string[] = [];
  const bus = new EventBus<string>(
    (error) => {
      throw error;
    },
    (event) => forwarded.push(event),
  );
  const localOnly: string[] = [];
  const stream: string[] = [];
  bus.subscribe((e) => localOnly.push(e));
  const unsubscribe = bus.subscribe((e) => stream.push(e), { remote: true });
  bus.publish('mine');
  bus.deliverRemote('theirs');
  assert.deepEqual(localOnly, ['mine']);
  assert.deepEqual(stream, ['mine', 'theirs']);
  assert.deepEqual(forwarded, ['mine']);
  assert.equal(bus.listenerCount, 2);
  unsubscribe();
  assert.equal(bus.listenerCount, 1);
});
