import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './test-app';

type Json = Record<string, unknown>;

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('GET /api/v1/jobs without a session is 401 in the JSON error shape', { timeout: 120_000 }, async () => {
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/jobs' });
  assert.equal(response.statusCode, 401);
  assert.match(String(response.headers['content-type']), /application\/json/);
  assert.equal(response.json<{ error: Json }>().error.code, 'MKE_UNAUTHENTICATED');
});

test('a job with steps, logs and a child job reads back through id and external id', { timeout: 120_000 }, async () => {
  const viewer = await t.userWithRole('viewer');
  const job = await t.deps.joblog.startJob({
    jobType: 'failover',
    operation: 'test failover of web01',
    externalJobId: 'gui-42',
    totalSteps: 2,
  });
  await t.deps.joblog.runStep(job.id, 'validate', async (step) => {
    await step.log('info', 'pre-flight passed', { mappings: 2 });
  });
  await assert.rejects(
    t.deps.joblog.runStep(job.id, 'snapshot volumes', () => Promise.reject(new Error('volume busy'))),
    /volume busy/,
  );
  const child = await t.deps.joblog.startChildJob(job.id, { jobType: 'cleanup', operation: 'cleanup' });

  const byId = await t.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}`, headers: viewer });
  assert.equal(byId.statusCode, 200, byId.body);
  const details = byId.json<Json & { steps: Json[]; logs: Json[]; children: Json[] }>();
  assert.deepEqual(
    [
      details.external_job_id,
      details.status,
      details.steps.map((s) => [s.name, s.status]),
      details.children.map((c) => c.id),
    ],
    [
      'gui-42',
      'failed',
      [
        ['validate', 'completed'],
        ['snapshot volumes', 'failed'],
      ],
      [child.id],
    ],
  );
  assert.equal(details.progress_percent, 50);
  assert.ok(
    details.logs.some(
      (l) => l.message === 'pre-flight passed' && (l.fields as Json).mappings === 2 && l.step === 'validate',
    ),
  );
  assert.equal(details.error_message, 'volume busy');
  assert.match(String(details.created_at), /Z$/);

  const byExternal = await t.app.inject({ method: 'GET', url: '/api/v1/jobs/by-external-id/gui-42', headers: viewer });
  assert.equal(byExternal.json<Json>().id, job.id);
  assert.equal(
    (await t.app.inject({ method: 'GET', url: '/api/v1/jobs/by-external-id/nope', headers: viewer })).statusCode,
    404,
  );
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/jobs/job-nope', headers: viewer })).statusCode, 404);
});

test('the job list filters by status, type and parent and pages', { timeout: 120_000 }, async () => {
  for (let i = 0; i < 3; i++) await t.deps.joblog.startJob({ jobType: 'replication', operation: `copy ${i}` });
  const all = await t.app.inject({ method: 'GET', url: '/api/v1/jobs?type=replication&limit=2', headers: t.admin });
  const page = all.json<{ items: Json[]; total: number; limit: number; offset: number }>();
  assert.deepEqual([page.items.length, page.total, page.limit, page.offset], [2, 3, 2, 0]);
  const rest = await t.app.inject({
    method: 'GET',
    url: '/api/v1/jobs?type=replication&limit=2&offset=2',
    headers: t.admin,
  });
  assert.equal(rest.json<{ items: Json[] }>().items.length, 1);

  const failed = await t.app.inject({
    method: 'GET',
    url: '/api/v1/jobs?status=failed&status=interrupted',
    headers: t.admin,
  });
  assert.ok(failed.json<{ items: Json[] }>().items.every((j) => j.status === 'failed' || j.status === 'interrupted'));
  assert.ok(failed.json<{ total: number }>().total >= 1);
  const roots = await t.app.inject({ method: 'GET', url: '/api/v1/jobs?root_only=true&limit=500', headers: t.admin });
  assert.ok(roots.json<{ items: Json[] }>().items.every((j) => j.parent_job_id === null));
  const bad = await t.app.inject({ method: 'GET', url: '/api/v1/jobs?status=sleeping', headers: t.admin });
  assert.equal(bad.statusCode, 400);
  assert.match(String(bad.json<{ error: Json }>().error.field), /^query\.status/);
});
