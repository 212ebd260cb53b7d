// The relays between two servers on one database (docs/scale-out.md#events-across-servers). Polling (MariaDB's
// relay, run here on every engine): each server gets the other's events once and never its own, a new server
// does not replay history, and a hole in the ids (an insert not committed yet) holds the read position until it
// fills or the grace passes. LISTEN/NOTIFY (PostgreSQL): small events inline, large ones by reference, in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import { createRepositories, type Repositories } from '@migratekit/db';
import { describeOnEngines } from '@migratekit/db/testing';
import pino from 'pino';
import { DEFAULT_EVENT_RELAY_TIMINGS, type EventRelayDeps, type EventRelayTimings } from './event-relay';
import type { ServerEvent } from './event-types';
import { MariadbEventRelay } from './mariadb-event-relay';
import { NOTIFY_PAYLOAD_LIMIT, PostgresEventRelay } from './postgres-event-relay';

const logger = pino({ level: 'silent' });

function context(id: string, at: Date): ServerEvent {
  return { type: 'context.updated', context_id: id, current_status: 'discovered', at };
}

function depsFor(
  serverId: string,
  repositories: Repositories,
  clock: ManualClock,
  got: ServerEvent[],
  timings: Partial<EventRelayTimings> = {},
): EventRelayDeps {
  return {
    serverId,
    repositories,
    clock,
    logger,
    deliver: (event) => got.push(event),
    timings: { ...DEFAULT_EVENT_RELAY_TIMINGS, pollBatchSize: 3, gapGraceMs: 5_000, ...timings },
  };
}

const ids = (events: ServerEvent[]): string[] =>
  events.map((e) => (e.type === 'context.updated' ? e.context_id : e.type));

describeOnEngines('event relay', ({ engine, database }) => {
  test(
    `[${engine}] polling: each server gets the other's events once, its own never, no history`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-07-01T00:00:00.000Z');
      const repositories = createRepositories(database().db, clock);
      await repositories.serverEvents.append(
        'old-server',
        'context.updated',
        JSON.stringify(context('history', clock.now())),
      );
      const [gotA, gotB] = [[] as ServerEvent[], [] as ServerEvent[]];
      const a = new MariadbEventRelay(depsFor('a', repositories, clock, gotA));
      const b = new MariadbEventRelay(depsFor('b', repositories, clock, gotB));
      await a.start();
      await b.start();
      try {
        // A row no server can read is skipped without holding up the ones after it.
        await repositories.serverEvents.append('b', 'context.updated', '{broken');
        for (const n of [1, 2, 3, 4, 5]) b.forward(context(`b${n}`, clock.now()));
        a.forward(context('a1', clock.now()));
        await Promise.all([a.sent(), b.sent()]);
        // Batches of 3: the loop reads on while a full batch moved the position; pollOnce reads one batch.
        assert.equal(await a.pollOnce(), 3);
        assert.equal(await a.pollOnce(), 3);
        assert.equal(await a.pollOnce(), 1);
        assert.equal(await a.pollOnce(), 0);
        assert.equal(await b.pollOnce(), 3);
        while ((await b.pollOnce()) > 0);
        assert.deepEqual(ids(gotA), ['b1', 'b2', 'b3', 'b4', 'b5']);
        assert.deepEqual(ids(gotB), ['a1']);
        assert.deepEqual(gotB[0], context('a1', clock.now()), 'dates come back as Date');
        // The poll loop runs on the injected clock too.
        b.forward(context('b6', clock.now()));
        await b.sent();
        await clock.advance(DEFAULT_EVENT_RELAY_TIMINGS.pollIntervalMs);
        for (let i = 0; i < 100 && gotA.length < 6; i++) await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(ids(gotA).slice(5), ['b6']);
      } finally {
        await a.close();
        await b.close();
      }
    },
  );

  // SQLite has one writer: no insert commits out of order, so there is no hole to hold.
  if (engine !== 'sqlite')
    test(
      `[${engine}] polling: a hole in the ids holds the position until it fills or the grace passes`,
      { timeout: 120_000 },
      async () => {
        const clock = new ManualClock('2026-07-02T00:00:00.000Z');
        const handle = database();
        const repositories = createRepositories(handle.db, clock);
        const got: ServerEvent[] = [];
        // The test polls by hand: the relay's own loop must not poll between its steps as the clock moves.
        const hourly = { pollIntervalMs: 3_600_000, pruneIntervalMs: 3_600_000 };
        const a = new MariadbEventRelay(depsFor('a', repositories, clock, got, hourly));
        await a.start();
        let commit: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (commit = resolve));
        let inserted: () => void = () => undefined;
        const insertedLate = new Promise<void>((resolve) => (inserted = resolve));
        // A transaction takes an id first and commits after a later insert: the reader sees the later one first.
        const slow = handle.db.transaction().execute(async (trx) => {
          await createRepositories(trx, clock).serverEvents.append(
            'b',
            'context.updated',
            JSON.stringify(context('slow', clock.now())),
          );
          inserted();
          await held;
        });
        try {
          await insertedLate;
          await repositories.serverEvents.append('b', 'context.updated', JSON.stringify(context('fast', clock.now())));
          await a.pollOnce();
          assert.deepEqual(ids(got), ['fast']);
          commit();
          await slow;
          await a.pollOnce();
          await a.pollOnce();
          assert.deepEqual(ids(got), ['fast', 'slow'], 'the late row once, the early one not again');
          assert.equal(await a.pollOnce(), 0, 'the position moved past both');

          // A hole that never fills (a rolled-back insert) is skipped after the grace.
          await handle.db
            .transaction()
            .execute(async (trx) => {
              await createRepositories(trx, clock).serverEvents.append('b', 'context.updated', '{}');
              throw new Error('roll back');
            })
            .catch(() => undefined);
          await repositories.serverEvents.append(
            'b',
            'context.updated',
            JSON.stringify(context('after-hole', clock.now())),
          );
          assert.equal(await a.pollOnce(), 1);
          await clock.advance(4_999);
          assert.equal(await a.pollOnce(), 1, 're-read while the hole may still fill');
          await clock.advance(1);
          assert.equal(await a.pollOnce(), 1);
          assert.equal(await a.pollOnce(), 0, 'moved past the hole');
          assert.deepEqual(ids(got), ['fast', 'slow', 'after-hole']);
        } finally {
          commit();
          await slow.catch(() => undefined);
          await a.close();
        }
      },
    );

  // LISTEN/NOTIFY exists on PostgreSQL only.
  if (engine === 'postgres')
    test(
      `[${engine}] LISTEN/NOTIFY: inline and by reference, in order, once, never back to the sender`,
      { timeout: 120_000 },
      async () => {
        const clock = new ManualClock('2026-07-03T00:00:00.000Z');
        const handle = database();
        const repositories = createRepositories(handle.db, clock);
        const [gotA, gotB] = [[] as ServerEvent[], [] as ServerEvent[]];
        const storedBefore = await repositories.serverEvents.latestId();
        const a = new PostgresEventRelay(depsFor('a', repositories, clock, gotA), handle.url);
        const b = new PostgresEventRelay(depsFor('b', repositories, clock, gotB), handle.url);
        await a.start();
        await b.start();
        try {
          assert.ok(a.listening && b.listening);
          const big: ServerEvent = {
            type: 'context.updated',
            context_id: 'big',
            current_status: 'discovered',
            changes: { notes: 'x'.repeat(NOTIFY_PAYLOAD_LIMIT) },
            at: clock.now(),
          };
          b.forward(context('b1', clock.now()));
          b.forward(big);
          b.forward(context('b2', clock.now()));
          await b.sent();
          for (let i = 0; i < 100 && gotA.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
          assert.deepEqual(ids(gotA), ['b1', 'big', 'b2']);
          assert.deepEqual(gotA[1], big);
          assert.equal(
            (await repositories.serverEvents.listAfter(storedBefore, 10)).length,
            1,
            'only the large one is stored',
          );
          a.forward(context('a1', clock.now()));
          await a.sent();
          for (let i = 0; i < 100 && gotB.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
          assert.deepEqual(ids(gotB), ['a1']);
          assert.deepEqual(ids(gotA), ['b1', 'big', 'b2'], 'nothing came back to the sender');
        } finally {
          await a.close();
          await b.close();
        }
      },
    );
});
