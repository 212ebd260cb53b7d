import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import pino from 'pino';
import { QueuedClaimLoop } from './queued-claim-loop';

/** A real pino logger writing its JSON lines into an array. */
function capturingLogger() {
  const lines: { level: number; jobs?: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as never) });
  return { lines, logger };
}

test(
  'claims every interval on the injected clock, logs claims and failures, and stops on close',
  { timeout: 30_000 },
  async () => {
    const clock = new ManualClock();
    const { lines, logger } = capturingLogger();
    const answers: (number | Error)[] = [2, new Error('database unreachable'), 0];
    let calls = 0;
    const loop = new QueuedClaimLoop({
      clock,
      logger,
      intervalMs: 1_000,
      claim: () => {
        calls += 1;
        const answer = answers.shift() ?? 0;
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
    });
    loop.start();
    loop.start(); // a second start is a no-op: one loop, one claim per interval
    await clock.advance(999);
    assert.equal(calls, 0, 'nothing before the first interval');
    await clock.advance(1);
    assert.equal(calls, 1);
    assert.deepEqual(
      lines.map((l) => [l.level, l.jobs]),
      [[30, 2]],
    );
    await clock.advance(1_000);
    assert.equal(calls, 2, 'a failed claim does not stop the loop');
    assert.equal(lines[1]?.level, 50);
    await clock.advance(1_000);
    assert.equal(calls, 3);
    assert.equal(lines.length, 2, 'a claim of nothing is not logged');
    await loop.close();
    await clock.advance(5_000);
    assert.equal(calls, 3, 'no claim after close');
    assert.equal(clock.pendingSleepers, 0);
  },
);
