import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedMutex } from './keyed-mutex';

test('work on one key runs one at a time, in call order; other keys run alongside', { timeout: 120_000 }, async () => {
  const mutex = new KeyedMutex();
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first = mutex.run('vol-a', async () => {
    events.push('a1 start');
    await gate;
    events.push('a1 end');
  });
  const second = mutex.run('vol-a', async () => {
    events.push('a2 start');
    await Promise.resolve();
    events.push('a2 end');
  });
  const other = mutex.run('vol-b', async () => {
    events.push('b start');
    await Promise.resolve();
    return 'b';
  });
  assert.equal(await other, 'b');
  assert.deepEqual(events, ['a1 start', 'b start']);
  release();
  await Promise.all([first, second]);
  assert.deepEqual(events, ['a1 start', 'b start', 'a1 end', 'a2 start', 'a2 end']);
  assert.deepEqual(mutex.busyKeys, []);
});

test('a failed run releases the key for the next one', { timeout: 120_000 }, async () => {
  const mutex = new KeyedMutex();
  await assert.rejects(
    mutex.run('vol-a', () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await mutex.run('vol-a', () => Promise.resolve(42)), 42);
});
