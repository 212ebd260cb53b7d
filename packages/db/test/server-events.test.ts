// server_events and the PostgreSQL LISTEN connection (docs/scale-out.md#events-across-servers): rows come back in
// id order from a position, in bounded batches; pruning deletes only old rows, a batch at a time; on
// PostgreSQL a NOTIFY reaches the dedicated listener, which reconnects after its backend is killed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { sql } from 'kysely';
import { PgNotificationListener } from '../src/pg-notification-listener';
import { createRepositories } from '../src/repositories';
import { describeOnEngines } from '../src/testing';

describe('server events repository', { timeout: 300_000 }, () => {
  describeOnEngines('server events', ({ engine, database }) => {
    test(`[${engine}] events read back in id order from a position, a bounded batch at a time`, async () => {
      const clock = new ManualClock('2026-03-01T10:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      const start = await repos.serverEvents.latestId();
      const first = await repos.serverEvents.append('server-a', 'job.updated', '{"type":"job.updated","n":1}');
      await repos.serverEvents.appendMany('server-b', [
        { eventType: 'job.log', payload: '{"n":2}' },
        { eventType: 'job.step', payload: '{"n":3}' },
      ]);
      assert.ok(first > start);
      const batch = await repos.serverEvents.listAfter(start, 2);
      assert.deepEqual(
        batch.map((r) => [r.origin, r.event_type, r.payload]),
        [
          ['server-a', 'job.updated', '{"type":"job.updated","n":1}'],
          ['server-b', 'job.log', '{"n":2}'],
        ],
      );
      assert.equal(batch[0]?.id, first);
      assert.deepEqual(batch[0]?.created_at, clock.now());
      const rest = await repos.serverEvents.listAfter(batch[1]?.id ?? 0, 10);
      assert.deepEqual(
        rest.map((r) => r.payload),
        ['{"n":3}'],
      );
      assert.equal(await repos.serverEvents.latestId(), rest[0]?.id);
      assert.equal((await repos.serverEvents.get(first))?.origin, 'server-a');
      assert.equal(await repos.serverEvents.get(first + 1000), undefined);
    });

    test(`[${engine}] pruning removes only rows older than the cutoff, at most a batch per call`, async () => {
      const clock = new ManualClock('2026-03-02T10:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      // Rows of the previous test are older than everything here.
      while ((await repos.serverEvents.pruneBefore(clock.now(), 100)) > 0);
      for (let i = 0; i < 5; i++) await repos.serverEvents.append('a', 'job.log', `{"old":${i}}`);
      await clock.advance(60_000);
      const kept = await repos.serverEvents.append('a', 'job.log', '{"new":true}');
      const cutoff = new Date(clock.now().getTime() - 30_000);
      assert.equal(await repos.serverEvents.pruneBefore(cutoff, 3), 3);
      assert.equal(await repos.serverEvents.pruneBefore(cutoff, 3), 2);
      assert.equal(await repos.serverEvents.pruneBefore(cutoff, 3), 0);
      const left = await repos.serverEvents.listAfter(0, 10);
      assert.deepEqual(
        left.map((r) => r.id),
        [kept],
      );
    });

    // LISTEN/NOTIFY exists on PostgreSQL only.
    if (engine === 'postgres')
      test(`[${engine}] NOTIFY reaches a dedicated listener, which reconnects after its backend dies`, async () => {
        const clock = new ManualClock();
        const db = database();
        const repos = createRepositories(db.db, clock);
        const received: string[] = [];
        const errors: unknown[] = [];
        let listening = 0;
        const waiters = new Set<() => void>();
        const wake = (): void => {
          for (const w of waiters) w();
        };
        const until = async (what: string, ok: () => boolean): Promise<void> => {
          for (let i = 0; i < 100 && !ok(); i++) {
            await new Promise<void>((resolve) => {
              waiters.add(resolve);
              setTimeout(resolve, 50).unref();
            });
          }
          assert.ok(ok(), what);
        };
        const listener = new PgNotificationListener({
          url: db.url,
          channel: 'mk_test_channel',
          clock,
          reconnectDelayMs: 1000,
          onNotification: (payload) => {
            received.push(payload);
            wake();
          },
          onError: (error) => {
            errors.push(error);
            wake();
          },
          onListening: () => {
            listening += 1;
            wake();
          },
        });
        await listener.start();
        try {
          assert.equal(listening, 1);
          await repos.serverEvents.notify('mk_test_channel', 'hello');
          await until('first notification', () => received.includes('hello'));

          await sql`select pg_terminate_backend(pid) from pg_stat_activity
                  where query like 'LISTEN%' and datname = current_database()`.execute(db.db);
          await until('the loss is reported', () => errors.length > 0 && !listener.listening);
          // Reconnects only when the injected clock reaches the delay.
          await clock.advance(999);
          assert.equal(listener.listening, false);
          await clock.advance(1);
          await until('listening again', () => listening === 2);
          await repos.serverEvents.notify('mk_test_channel', 'again');
          await until('notification after reconnect', () => received.includes('again'));
          await assert.rejects(
            createRepositories(db.db).serverEvents.notify('mk_test_channel', 'x'.repeat(8000)),
            /payload string too long/,
          );
        } finally {
          await listener.close();
        }
      });
  });
});
