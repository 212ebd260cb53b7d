// Reads real SSE frames from a listening server (not inject): connection, job events from the JobLog, the
// context and job filters, and heartbeats driven by the injected clock.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SSE_MAX_BUFFERED_BYTES } from '../src/routes/event.routes';
import { openSse, type SseFrame } from './sse-client';
import { createTestApp, type TestApp } from './test-app';

let t: TestApp;
let base: string;
/** The server's own subscribers (failover and recovery follow job events): streams add to these. */
let serverListeners: number;
before(async () => {
  t = await createTestApp({ sseHeartbeatMs: 10_000 });
  serverListeners = t.deps.events.listenerCount;
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
after(() => t.close());

const dataOf = (frame: SseFrame): Record<string, unknown> => JSON.parse(frame.data ?? '{}') as Record<string, unknown>;

async function untilListeners(count: number): Promise<void> {
  const target = serverListeners + count;
  for (let i = 0; i < 200 && t.deps.events.listenerCount < target; i++) await new Promise((r) => setImmediate(r));
  assert.ok(t.deps.events.listenerCount >= target, 'stream subscribed');
}

test('the stream requires authentication', { timeout: 120_000 }, async () => {
  const anonymous = await openSse(`${base}/api/v1/events`, {});
  assert.equal(anonymous.status, 401);
  anonymous.close();
});

test(
  'job events arrive as SSE frames; filters by context and job; heartbeats on the injected clock',
  { timeout: 120_000 },
  async () => {
    const all = await openSse(`${base}/api/v1/events`, t.admin);
    assert.equal(all.status, 200);
    assert.match(String(all.headers['content-type']), /^text\/event-stream/);
    const filtered = await openSse(`${base}/api/v1/events?job_id=ext-watch`, t.admin);
    await all.waitFor((f) => f.comment === 'connected');
    await untilListeners(2);

    const job = await t.deps.joblog.startJob({
      jobType: 'replication',
      operation: 'copy db01',
      externalJobId: 'ext-other',
    });
    await t.deps.joblog.runStep(job.id, 'copy disks', async (step) =>
      step.log('info', 'disk-2000 done', { bytes: 1024 }),
    );
    await t.deps.joblog.completeJob(job.id);

    const step = await all.waitFor(
      (f) => f.event === 'job.step' && (dataOf(f).step as Record<string, unknown>).status === 'completed',
    );
    assert.equal(dataOf(step).job_id, job.id);
    const log = await all.waitFor((f) => f.event === 'job.log');
    assert.equal((dataOf(log).log as Record<string, unknown>).message, 'disk-2000 done');
    const done = await all.waitFor(
      (f) => f.event === 'job.updated' && (dataOf(f).job as Record<string, unknown>).status === 'completed',
    );
    assert.ok(Number(done.id) > Number(step.id), 'frames carry increasing ids');

    // The job filter matches on the job id, not the external id: this stream saw nothing of the job above.
    const watched = await t.deps.joblog.startJob({
      jobType: 'failover',
      operation: 'watch me',
      externalJobId: 'ext-watch',
    });
    const filteredByJob = await openSse(`${base}/api/v1/events?job_id=${watched.id}`, t.admin);
    const byContext = await openSse(`${base}/api/v1/events?context_id=ctx-web01`, t.admin);
    await untilListeners(4);
    const childJob = await t.deps.joblog.startChildJob(watched.id, { jobType: 'cleanup', operation: 'child' });
    await t.deps.joblog.log(childJob.id, 'info', 'child says hi');
    t.deps.events.publish({
      type: 'context.updated',
      context_id: 'ctx-other',
      current_status: 'replicating',
      at: t.clock.now(),
    });
    t.deps.events.publish({
      type: 'context.updated',
      context_id: 'ctx-web01',
      current_status: 'replicating',
      at: t.clock.now(),
    });

    const childLog = await filteredByJob.waitFor((f) => f.event === 'job.log');
    assert.equal(dataOf(childLog).job_id, childJob.id, 'child job events reach the parent job filter');
    const ctx = await byContext.waitFor((f) => f.event === 'context.updated');
    assert.equal(dataOf(ctx).context_id, 'ctx-web01');
    await all.waitFor((f) => f.event === 'context.updated' && dataOf(f).context_id === 'ctx-web01');
    assert.ok(!byContext.frames.some((f) => f.event === 'context.updated' && dataOf(f).context_id === 'ctx-other'));
    assert.ok(!byContext.frames.some((f) => f.event?.startsWith('job.')), 'jobs without that context are filtered out');
    assert.ok(!filtered.frames.some((f) => f.event !== undefined), 'ext-watch is an external id, not a job id');
    assert.ok(
      !filteredByJob.frames.some(
        (f) => f.event === 'job.updated' && (dataOf(f).job as Record<string, unknown>).id === job.id,
      ),
    );

    // Heartbeats: each open stream sleeps on the ManualClock; advancing it writes a comment frame.
    for (let i = 0; i < 200 && t.clock.pendingSleepers < 4; i++) await new Promise((r) => setImmediate(r));
    await t.clock.advance(10_000);
    const beat = await all.waitFor((f) => f.comment?.startsWith('heartbeat') === true);
    assert.equal(beat.comment, `heartbeat ${t.clock.now().toISOString()}`);

    for (const connection of [all, filtered, filteredByJob, byContext]) connection.close();
    // Polled, not slept: a loaded machine may take seconds to see the sockets close.
    for (let i = 0; i < 2000 && t.deps.events.listenerCount > serverListeners; i++)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(t.deps.events.listenerCount, serverListeners, 'closed streams unsubscribe');
  },
);

test('closing the server ends open streams instead of waiting for them', { timeout: 120_000 }, async () => {
  const other = await createTestApp();
  await other.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}/api/v1/events`;
  const stream = await openSse(url, other.admin);
  await stream.waitFor((f) => f.comment === 'connected');
  await other.close();
  await stream.ended;
  assert.equal(other.deps.events.listenerCount, 0);
});

test(
  'a client that never reads is dropped once its backlog passes the limit, not buffered for',
  { timeout: 120_000 },
  async () => {
    const before = t.deps.events.listenerCount;
    const socket = connect((t.app.server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /api/v1/events HTTP/1.1\r\nHost: test\r\nAuthorization: ${t.admin.authorization}\r\n\r\n`);
    // The client reads nothing from here on: the kernel buffers fill, then the server's own backlog grows.
    socket.pause();
    await untilListeners(before + 1 - serverListeners);
    const blob = 'x'.repeat(64 * 1024);
    // Enough to fill the kernel buffers on both ends (a few MiB on loopback) and then the 1 MiB backlog.
    for (let i = 0; i < 400 && t.deps.events.listenerCount > before; i++) {
      t.deps.events.publish({
        type: 'context.updated',
        context_id: 'ctx-flood',
        current_status: 'replicating',
        changes: { blob },
        at: t.clock.now(),
      });
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(t.deps.events.listenerCount, before, 'the stalled stream was unsubscribed');
    assert.ok(400 * blob.length > 4 * SSE_MAX_BUFFERED_BYTES);
    socket.destroy();
  },
);
