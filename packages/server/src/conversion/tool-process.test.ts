// runTool with real child processes: lines reach the caller as they come, and the time limit and the abort
// signal kill the whole process group (a child of the tool included) on the injected clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, systemClock } from '@migratekit/core';
import { runTool } from './tool-process';

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  // The child writes on its own schedule; yield to the event loop (not a timer of the test's clock) until it has.
  for (let i = 0; i < 200 && !condition(); i++) await systemClock.sleep(10);
  assert.ok(condition(), 'condition not reached');
}

describe('runTool', { timeout: 60_000 }, () => {
  test('splits stdout and stderr into lines and reports the exit code', async () => {
    const lines: string[] = [];
    const outcome = await runTool({
      command: 'sh',
      args: ['-c', 'printf "one\\ntwo"; echo "three: error: broken" >&2; exit 3'],
      env: process.env,
      clock: systemClock,
      timeoutMs: 30_000,
      signal: new AbortController().signal,
      onLine: (stream, line) => lines.push(`${stream}:${line}`),
    });
    assert.equal(outcome.exitCode, 3);
    assert.equal(outcome.stdout, 'one\ntwo');
    assert.deepEqual(lines.sort(), ['stderr:three: error: broken', 'stdout:one', 'stdout:two']);
    assert.deepEqual(outcome.stderrTail, ['three: error: broken']);
    assert.equal(outcome.timedOut, false);
  });

  test('the time limit kills the process group, grandchildren included', async () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    const running = runTool({
      command: 'sh',
      // The inner sleep stands for the appliance's qemu: it must die with the tool.
      args: ['-c', 'sleep 60 & echo started; wait'],
      env: process.env,
      clock,
      timeoutMs: 5_000,
      signal: new AbortController().signal,
      onLine: (_stream, line) => lines.push(line),
    });
    await until(() => lines.includes('started'));
    await clock.advance(5_000);
    // 'close' waits for every holder of the output pipes: it resolving means the inner sleep died as well.
    const outcome = await running;
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.exitSignal, 'SIGTERM');
  });

  test('an abort stops the tool and says so', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const running = runTool({
      command: 'sh',
      args: ['-c', 'echo started; sleep 60'],
      env: process.env,
      clock: new ManualClock(),
      timeoutMs: 60_000,
      signal: controller.signal,
      onLine: (_stream, line) => lines.push(line),
    });
    await until(() => lines.includes('started'));
    controller.abort();
    const outcome = await running;
    assert.equal(outcome.aborted, true);
    assert.equal(outcome.timedOut, false);
    assert.notEqual(outcome.exitSignal, null);
  });

  test('a missing command rejects with the spawn error', async () => {
    await assert.rejects(
      runTool({
        command: 'migratekit-no-such-tool',
        args: [],
        env: process.env,
        clock: systemClock,
        timeoutMs: 1_000,
        signal: new AbortController().signal,
      }),
      /ENOENT/,
    );
  });
});
