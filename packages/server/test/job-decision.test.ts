// The job API's workflow fields (the dashboard's step tracker reads them), the operator's decision on a workflow
// job, and one VM's audit events for every role that may see the VM.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from './test-app';

type Json = Record<string, unknown>;

describe('workflow job view, decisions and a VM context audit trail', { timeout: 120_000 }, () => {
  let t: TestApp;
  let jobId: string;
  before(async () => {
    t = await createTestApp();
    for (const name of ['web01', 'other'])
      await t.repositories.contexts.create({
        context_id: `ctx-${name}`,
        vm_name: name,
        vmware_vm_id: `uuid-${name}`,
        vm_path: `/DC1/vm/${name}`,
        vcenter_host: 'vcenter.lab.example',
        datacenter: 'DC1',
      });
    const created = await t.repositories.workflowJobs.createJob({
      id: 'job-wf-1',
      external_job_id: 'ext-wf-1',
      vm_context_id: 'ctx-web01',
      job_type: 'failover',
      operation: 'live failover of web01',
      workflow_name: 'retired-workflow',
      workflow_input: { contextId: 'ctx-web01' },
      takeover_policy: 'pause',
      total_steps: 3,
      lease_owner: 'server-a',
      lease_expires_at: new Date('2026-03-01T10:01:00.000Z'),
    });
    jobId = created.id;
    const steps = t.repositories.workflowSteps;
    const deploy = await steps.startStep(jobId, 'run', 'create target VM', 'create target VM');
    await steps.completeStep(deploy.id, { vmId: 'vm-123', snapshotIds: ['snap-1'] });
    const undo = await steps.startStep(jobId, 'compensate', 'create target VM', 'compensate: create target VM');
    await steps.failStep(undo.id, { code: 'MKE_CLOUDSTACK', message: 'destroyVirtualMachine timed out' });
    const paused = await t.repositories.workflowJobs.transition(jobId, {
      to: 'paused',
      owner: 'server-a',
      pauseReason: 'The server stopped during "start target VM"; inspect could not tell whether it ran',
    });
    assert.ok(paused);
  });
  after(() => t.close());

  test('a workflow job shows its workflow, pause reason, and each step with its kind and output', async () => {
    const viewer = await t.userWithRole('viewer');
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: viewer });
    assert.equal(res.statusCode, 200, res.body);
    const job = res.json<Json & { steps: Json[] }>();
    assert.equal(job.workflow_name, 'retired-workflow');
    assert.match(String(job.pause_reason), /inspect could not tell/);
    assert.deepEqual(
      job.steps.map((s) => [s.name, s.kind, s.status, s.output]),
      [
        ['create target VM', 'run', 'completed', { vmId: 'vm-123', snapshotIds: ['snap-1'] }],
        ['compensate: create target VM', 'compensate', 'failed', null],
      ],
    );
  });

  test('a viewer may not decide; an unknown job is 404; a workflow this server lacks is a 409 naming it', async () => {
    const viewer = await t.userWithRole('viewer');
    const operator = await t.userWithRole('operator');
    const denied = await t.app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${jobId}/decision/resume`,
      headers: viewer,
    });
    assert.equal(denied.statusCode, 403);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/jobs/job-nope/decision/resume',
      headers: operator,
    });
    assert.equal(missing.statusCode, 404);
    const badDecision = await t.app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${jobId}/decision/retry`,
      headers: operator,
    });
    assert.equal(badDecision.statusCode, 400);
    const conflict = await t.app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${jobId}/decision/compensate`,
      headers: operator,
    });
    assert.equal(conflict.statusCode, 409, conflict.body);
    assert.match(conflict.json<{ error: Json }>().error.message as string, /no workflow named retired-workflow/);
  });

  test("a VM context's audit events are readable by a viewer and hold only that VM's events", async () => {
    await t.ctx.services.audit.record({ actor: 'alice', action: 'failover.start', vmContextId: 'ctx-web01' });
    await t.ctx.services.audit.record({ actor: 'bob', action: 'failover.start', vmContextId: 'ctx-other' });
    const viewer = await t.userWithRole('viewer');
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/vm-contexts/ctx-web01/audit-events',
      headers: viewer,
    });
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json<{ items: Json[]; total: number }>();
    assert.deepEqual(
      page.items.map((e) => [e.actor, e.action, e.vm_context_id]),
      [['alice', 'failover.start', 'ctx-web01']],
    );
  });
});
